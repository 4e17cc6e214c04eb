namespace NetSleuth.WhatIf;

/// <summary>
/// What applying a finding's fix commands to a copy of the model did to the traced paths: how many of the
/// paths broken by this cause it restores, how many working ones it breaks — or why it could not be tried.
/// </summary>
/// <param name="Verified">true when every broken path of the finding works after the fix and no working path broke</param>
/// <param name="Restored">broken paths of the finding that work after the fix</param>
/// <param name="BrokenBefore">broken paths of the finding that were traced again</param>
/// <param name="Broke">working paths that no longer work after the fix</param>
/// <param name="WorkingChecked">working paths traced again (all, or those near the fix and a sample: <paramref name="Sampled"/>)</param>
/// <param name="WorkingTotal">working paths the sweep found</param>
/// <param name="Reason">why it is unverified (a command not modelled, refused by the model, a path still broken, the time budget)</param>
public sealed record FixVerification(bool Verified, int Restored, int BrokenBefore, int Broke, int WorkingChecked, int WorkingTotal,
    bool Sampled, string? Reason = null)
{
    /// <summary>Paths that were broken by this cause and still are, and working paths that broke (with how they fail now).</summary>
    public List<string> StillBroken { get; init; } = [];
    public List<string> NewlyBroken { get; init; } = [];
    /// <summary>Of <see cref="Restored"/>, the paths delivered past something the input does not show (a device's tc filters).</summary>
    public int RestoredAsFarAsKnown { get; init; }
    /// <summary>Broken paths that no longer fail here but further on, at another cause (a path with two faults).</summary>
    public int MovedOn { get; init; }
    /// <summary>The broken paths are ones no check tied to a cause (the sweep did not tie them to this finding; its fix restores them).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool OfUnexplained { get; init; }

    /// <summary>One line, as the text report prints it.</summary>
    public string Summary()
    {
        if (Reason is not null && WorkingChecked == 0 && BrokenBefore == 0 && Restored == 0) return "unverified: " + Reason;
        var scope = Sampled ? $" (re-traced {WorkingChecked} of {WorkingTotal} working paths: those from or to the hosts the fix changes, and a sample of the others)" : "";
        if (BrokenBefore == 0 && Reason is null)
            return $"verified in the model: the commands apply and break 0 working paths{scope} (no traced path was broken by this cause)";
        var known = RestoredAsFarAsKnown > 0 ? $" ({(RestoredAsFarAsKnown == Restored ? "" : $"{RestoredAsFarAsKnown} ")}as far as the input shows)" : "";
        var which = OfUnexplained ? " that no check explained" : "";
        var counts = $"restores {Restored} of {BrokenBefore} broken path{(BrokenBefore == 1 ? "" : "s")}{which}{known}, breaks {Broke} working one{(Broke == 1 ? "" : "s")}{scope}";
        if (Verified && MovedOn > 0)
            return $"verified in the model: removes this cause from {Restored + MovedOn} of {BrokenBefore} broken path{(BrokenBefore == 1 ? "" : "s")} " +
                $"({Restored} then work{(Restored == 1 ? "s" : "")}; {Reason}), breaks {Broke} working one{(Broke == 1 ? "" : "s")}{scope}";
        return Verified ? "verified in the model: " + counts : $"unverified: {counts}" + (Reason is null ? "" : $" — {Reason}");
    }
}
