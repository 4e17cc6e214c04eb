namespace NetSleuth.Lab;

/// <summary>
/// One lab "host": a group of namespaces standing for one machine. <see cref="RootNamespace"/> stands
/// in for the machine's root namespace and is also the first entry of <see cref="Namespaces"/>.
/// </summary>
/// <param name="Name">the host name snapshots get ("worker", "podvm", "node1", …)</param>
/// <param name="RootNamespace">full netns name standing for the root namespace ("nsl-wk")</param>
/// <param name="Namespaces">every netns of the host, root first</param>
/// <param name="OvsDb">the OVSDB socket ("unix:/run/netsleuth/P/ovs/db.sock") when a private OVS runs in the root namespace</param>
/// <param name="OvnNb">the OVN northbound database ("unix:/run/netsleuth/P/ovn/nb.sock") when this host runs the lab's OVN control plane</param>
/// <param name="OvnSb">the OVN southbound database, likewise</param>
public sealed record LabHost(string Name, string RootNamespace, IReadOnlyList<string> Namespaces, string? OvsDb = null,
    string? OvnNb = null, string? OvnSb = null)
{
    /// <summary>The other namespaces (not the root stand-in).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<string> Others => Namespaces.Where(n => n != RootNamespace);

    /// <summary>How `collect --lab` reads this host: its namespaces, its private OVS and OVN databases.</summary>
    public Collect.CollectOptions CollectOptions(bool conntrack = false, string? toolVersion = null) => new()
    {
        HostName = Name,
        RootNamespace = RootNamespace,
        Namespaces = [.. Others],
        OvsDb = OvsDb is { } db && db.StartsWith("unix:", StringComparison.Ordinal) ? db["unix:".Length..] : OvsDb,
        OvnNb = OvnNb,
        OvnSb = OvnSb,
        Origin = "lab",
        Conntrack = conntrack,
        ToolVersion = toolVersion,
    };
}

/// <summary>
/// A documented ping: from a namespace of a host to an IP, with the result the kernel must give
/// for this lab's faults.
/// </summary>
/// <param name="Name">short id ("pod", "pod-large")</param>
/// <param name="Host">the lab host it is sent from</param>
/// <param name="Namespace">full netns name it is sent from</param>
/// <param name="TargetIp">the address pinged</param>
/// <param name="PayloadSize">ping -s (ICMP payload bytes)</param>
/// <param name="DontFragment">ping -M do</param>
/// <param name="ExpectSuccess">true: replies come back; false: no reply at all</param>
/// <param name="Expectation">one line: what the user sees and why</param>
public sealed record LabProbe(
    string Name, string Host, string Namespace, string TargetIp, int PayloadSize, bool DontFragment,
    bool ExpectSuccess, string Expectation)
{
    /// <summary>The shell command that sends this probe.</summary>
    public string Command => Util.Shell.Join(PingArgs.Build(Namespace, TargetIp, 3, PayloadSize, DontFragment));
}

/// <summary>The outcome of one ping.</summary>
public sealed record PingResult(int Transmitted, int Received, string Output)
{
    public bool Succeeded => Received > 0;
    public bool AllLost => Received == 0;
    public override string ToString() => $"{Transmitted} transmitted, {Received} received";
}

/// <summary>A scenario of <c>lab list</c>.</summary>
public sealed record LabScenarioInfo(string Name, string Summary, IReadOnlyList<string> Faults);

/// <summary>
/// A fault of <c>lab list</c>.
/// </summary>
/// <param name="Name">"mac-mismatch", …</param>
/// <param name="CatalogueRow">the row of docs/faults.md it reproduces</param>
/// <param name="Summary">one line: what is wrong</param>
/// <param name="Symptom">one line: what the documented probe shows</param>
public sealed record LabFaultInfo(string Name, int CatalogueRow, string Summary, string Symptom);

/// <summary>A lab could not be built, found or removed; the message is for the user (one line or a few).</summary>
public sealed class LabException(string message) : Exception(message);

internal static class PingArgs
{
    public static string[] Build(string ns, string ip, int count, int size, bool df)
    {
        var a = new List<string> { "ip", "netns", "exec", ns, "ping", "-n", "-c", count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-i", "0.2", "-W", "1", "-s", size.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (df) a.AddRange(["-M", "do"]);
        a.Add(ip);
        return [.. a];
    }
}
