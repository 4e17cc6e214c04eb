using NetSleuth.Forwarding;

namespace NetSleuth.Probe;

/// <summary>How the model's answer for one probe compares with the kernel's.</summary>
public enum Agreement
{
    /// <summary>Same delivered / not delivered, and where the kernel reports a drop the reason (and place) match.</summary>
    Agree,
    /// <summary>The model could not decide (InsufficientInfo, Uncertain).</summary>
    Undecided,
    /// <summary>Delivered in one, not in the other.</summary>
    VerdictDiffers,
    /// <summary>Both drop, but the kernel's drop reason or place is not the model's.</summary>
    WhereDiffers,
}

/// <summary>The model's trace of a probe beside the kernel's answer, and whether (and where) they agree.</summary>
/// <param name="Failed">the model's trace that did not deliver (forward, else the reply); null when delivered both ways</param>
/// <param name="Note">why they differ, in one line; empty when they agree</param>
public sealed record ProbeComparison(TraceResult Model, Trace? Failed, ProbeOutcome Kernel, KernelPath? Path, Agreement Agreement, string Note)
{
    public Disposition ModelDisposition => Failed?.Disposition ?? Disposition.Delivered;

    /// <summary>Compares MODEL with the kernel's OUTCOME and PATH; NAMESPACES are the namespace names of the input
    /// (to tell "host:ns" from "host:device" in a trace's At).</summary>
    public static ProbeComparison Of(TraceResult model, ProbeOutcome kernel, KernelPath? path, IReadOnlySet<string> namespaces)
    {
        var failed = !model.Forward.Delivered ? model.Forward : model.Reply is { Delivered: false } r ? r : null;
        var disposition = failed?.Disposition ?? Disposition.Delivered;
        if (failed is not null && DropReasons.IsUndecided(disposition))
            return new(model, failed, kernel, path, Agreement.Undecided, "the model could not decide: " + failed.Reason);
        if (model.Delivered != kernel.Answered)
            return new(model, failed, kernel, path, Agreement.VerdictDiffers,
                model.Delivered ? "the model delivers, the kernel gets no answer" : "the kernel answers, the model drops");
        if (failed is null || path?.Drop is not { } drop) return new(model, failed, kernel, path, Agreement.Agree, "");
        var modelDev = DeviceOf(failed.At, namespaces);
        bool Placed(KernelDrop d) => modelDev is null || d.Device is null || !DropReasons.LocatesDevice(d.Reason) || modelDev == d.Device || PassedThere(failed, d.Device);
        // a packet copied, carried by a tunnel or answered by ICMP is freed in several places, and the machine's
        // other traffic can add a drop on a device of the same name: the model agrees when its drop is among the
        // probe's drops, and the kernel's line then shows that one
        foreach (var d in path.AllDrops)
            if (d.Device is not null && DropReasons.Matches(disposition, d.Reason) && Placed(d))
            {
                drop = d;
                path = path with { Drop = d };
                break;
            }
        // a neighbour that fails across a VXLAN device: its ARP request, carried by the tunnel, dies at the far host
        // (another skb, but one the probe caused); the packet itself is freed later from the neighbour's timer
        bool acrossTunnel = failed.AtPlace?.Link?.Kind == NetSleuth.Model.LinkKinds.Vxlan;
        bool reasonOk = DropReasons.Matches(disposition, drop.Reason) || (acrossTunnel && DropReasons.IsArpCarrierDrop(disposition, drop.Reason));
        if (reasonOk && !DropReasons.Matches(disposition, drop.Reason))
            return new(model, failed, kernel, path, Agreement.Agree, $"(kfree_skb {drop.Reason} after {drop.Device}: the ARP request's carrier at the far end)");
        bool devOk = Placed(drop);
        // a drop no device event ties to the probe's packets (freed before any device saw it) may be another
        // namespace's: it confirms the model when it matches, and is not held against it when it does not
        // a frame a remote-less VXLAN device replicated to every all-zeros destination is dropped as another host's at
        // each one that does not own it (OTHERHOST after vx0): a copy, when the model's request got to its owner and
        // what failed is the reply
        if (!reasonOk && drop.Reason == "OTHERHOST" && model.Forward.Delivered && ReferenceEquals(failed, model.Reply) &&
            model.Forward.Passed.Any(d => d.Link.Name == drop.Device && d.Link.Kind == NetSleuth.Model.LinkKinds.Vxlan))
            return new(model, failed, kernel, path, Agreement.Agree, $"(kfree_skb OTHERHOST after {drop.Device}: a replicated copy of the request at a host that does not own it)");
        if (!reasonOk && drop.Device is null)
            return new(model, failed, kernel, path, Agreement.Agree, $"(a kfree_skb {drop.Reason} not tied to the probe's packets was left aside)");
        if (!reasonOk)
            return new(model, failed, kernel, path, Agreement.WhereDiffers,
                $"{disposition} stands for {string.Join("/", DropReasons.For(disposition))}, the kernel said {drop.Reason}");
        if (!devOk)
            return new(model, failed, kernel, path, Agreement.WhereDiffers, $"the model drops at {modelDev}, the kernel after {drop.Device}");
        return new(model, failed, kernel, path, Agreement.Agree, "");
    }

    /// <summary>
    /// The kernel's device is the last one a tracepoint showed the packet on: for a drop on output (a neighbour
    /// that fails, a packet too big to forward, a VXLAN outer packet that cannot leave) that is the device it
    /// arrived by, in the namespace where the model drops it. Same place when the model's packet passed a
    /// device of that name in its last namespace.
    /// </summary>
    private static bool PassedThere(Trace t, string kernelDev)
    {
        // a VXLAN outer packet is the same skb: when it dies in the underlay before any device queues it, the
        // kernel last saw it on the VXLAN device, the last device the model's packet passed too
        if (t.Passed.Count > 0 && t.Passed[^1].Link.Name == kernelDev) return true;
        if (t.LastNamespace is not { } last) return false;
        foreach (var d in t.Passed)
            if (d.Link.Name == kernelDev && d.Host == last.Host && d.Ns == last.Ns) return true;
        return false;
    }

    /// <summary>The device part of a trace's At ("h1:fz-h1p1:eth0" → eth0; "h1:vx0" → vx0; "h1:fz-h1p1" → null).</summary>
    public static string? DeviceOf(string? at, IReadOnlySet<string> namespaces)
    {
        if (at is null) return null;
        var parts = at.Split(':');
        if (parts.Length == 3) return parts[2];
        if (parts.Length == 2 && !namespaces.Contains(parts[1])) return parts[1];
        return null;
    }

    /// <summary>The model's devices in order ("eth0 → vp1 → br0 → vx0 → …").</summary>
    public static string DevicesText(Trace t) => t.Passed.Count == 0 ? "(none)" : string.Join(" → ", t.Passed.Select(d => d.Link.Name));
}
