using System.Text.RegularExpressions;

namespace NetSleuth.Lab;

/// <summary>Names and places of a lab: namespaces "PREFIX-ROLE", state under /run/netsleuth.</summary>
public static partial class LabPaths
{
    /// <summary>The prefix `lab up` uses when none is given.</summary>
    public const string DefaultPrefix = "nsl";

    public const string BaseDir = "/run/netsleuth";
    public static string StateDir => Path.Combine(BaseDir, "labs");

    /// <summary>/run/netsleuth/labs/PREFIX.json: the lab's hosts, faults and probes.</summary>
    public static string StateFile(string prefix) => Path.Combine(StateDir, prefix + ".json");

    /// <summary>/run/netsleuth/PREFIX: files of the lab's own processes (OVS run/db/log dirs).</summary>
    public static string WorkDir(string prefix) => Path.Combine(BaseDir, prefix);

    public static string OvsDir(string prefix) => Path.Combine(WorkDir(prefix), "ovs");

    /// <summary>The netns name of ROLE in the lab PREFIX ("nsl-wkpod").</summary>
    public static string Ns(string prefix, string role) => prefix + "-" + role;

    /// <summary>True when NETNS belongs to the lab PREFIX (prefixes have no '-', so this is exact).</summary>
    public static bool BelongsTo(string netns, string prefix) =>
        netns.Length > prefix.Length + 1 && netns.StartsWith(prefix + "-", StringComparison.Ordinal);

    /// <summary>A prefix is 1–12 lowercase letters and digits starting with a letter (no '-': "a" and "a-b" cannot overlap).</summary>
    public static void Validate(string prefix)
    {
        if (!PrefixRegex().IsMatch(prefix))
            throw new LabException($"bad lab prefix '{prefix}': use 1-12 lowercase letters and digits, starting with a letter");
    }

    /// <summary>STEM plus a random part, e.g. for tests running in parallel ("nlab" → "nlab3f9a1c").</summary>
    public static string UniquePrefix(string stem)
    {
        var p = stem + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));
        Validate(p);
        return p;
    }

    [GeneratedRegex("^[a-z][a-z0-9]{0,11}$")]
    private static partial Regex PrefixRegex();
}
