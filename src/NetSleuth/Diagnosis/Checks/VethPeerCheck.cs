using System.Globalization;
using NetSleuth.Model;
using NetSleuth.Topology;

namespace NetSleuth.Diagnosis.Checks;

/// <summary>
/// faults.md #17: a pod's veth whose other end is in no namespace of the input (moved away, or left
/// dangling when its namespace went). The fix recreates the pair with the host end where the design
/// wants it (on the bridge serving the pod subnet, or with a host route) and restores the pod end.
/// With partial input it says which command would show the peer instead.
/// </summary>
internal sealed class VethPeerCheck : ICheck
{
    public string Id => "veth-peer-missing";

    public IEnumerable<Finding> Run(DiagnosisContext ctx)
    {
        var dangling = ctx.Topology.Edges.Where(e => e.Kind == EdgeKind.Veth && e.To is null)
            .Select(e => (Device: e.From, Why: e.Assumption ?? "peer unresolved")).ToList();
        // a peer the linker only guessed, while the device's own link-netns names a namespace the input does not have
        foreach (var (pod, _) in ctx.PodAddresses)
            if (pod.Link.IsVeth && ctx.Topology.VethPeer(pod) is not null && PeerNamespaceMissing(pod) is { } why && dangling.All(x => x.Device != pod))
                dangling.Add((pod, why));
        foreach (var (d, assumption) in dangling)
        {
            var e = new { Assumption = assumption };
            var addr = d.Link.Addresses.FirstOrDefault(DiagnosisContext.IsGlobal);
            bool complete = d.Host.Meta.Origin is "collect" or "lab" or "synth" or "test";
            if (d.Ns.IsRoot || addr is null || !complete)
            {
                if (addr is null) continue; // a host end without addresses: its pod side, when given, reports it
                yield return new Finding
                {
                    Id = Id,
                    Severity = Severity.Info,
                    Title = $"{d}: the veth's other end is not in the input",
                    Explanation = $"{d.Link.Name} is a veth ({e.Assumption}); the input does not show where its other end is, so the path beyond it is unknown.",
                    Evidence = [Ev.Device(d)],
                    Decide = [new MissingInput(d.Host.Name, null, "ip -d link show; ip netns list-id (in every namespace: netsleuth collect)",
                        $"shows the namespace holding ifindex {d.Link.LinkIndex?.ToString(CultureInfo.InvariantCulture) ?? "?"}")],
                    RootCause = "veth:" + d.Key,
                    Devices = [d],
                };
                continue;
            }
            var root = d.Host.Root is { } r ? new NsRef(d.Host, r) : null;
            if (root is null) continue;
            var bridge = PodBridge.For(ctx, root, addr.Address);
            yield return new Finding
            {
                Id = Id,
                Severity = Severity.Error,
                Title = $"{d}: its veth peer is in no namespace of {d.Host.Name}",
                Explanation = $"{d.Link.Name} holds {addr.Prefix}, but the other end of its veth pair is not in any namespace of {d.Host.Name} in the input " +
                    $"({e.Assumption}). Frames sent by {d.Link.Name} go wherever that end is, not to {root}" +
                    (bridge is null ? "" : $" and its bridge {bridge.Link.Name}") +
                    $". Recreate the pair with its host end in {root}" + (bridge is null ? " and a route to the pod." : $" on {bridge.Link.Name},") +
                    $" then give {d.Link.Name} back its MAC, addresses, routes and tc filters.",
                Evidence = [Ev.Device(d), Ev.Address(d, addr)],
                Fix = Recreate(ctx.Topology, d, root, bridge),
                RootCause = "veth:" + d.Key,
                Devices = [d],
            };
        }
    }

    /// <summary>The veth pair recreated: the pod end deleted (its peer, wherever it is, goes with it), a new pair made in
    /// <paramref name="root"/> with the pod end moved into the pod's namespace, the host end on <paramref name="bridge"/>
    /// (or, without one, a host route to the pod's address), and the pod end's MAC, addresses, routes and tc filters back.</summary>
    internal static List<FixStep> Recreate(Topology.Topology t, DeviceRef d, NsRef root, DeviceRef? bridge)
    {
        var addr = d.Link.Addresses.FirstOrDefault(DiagnosisContext.IsGlobal);
        string hostEnd = "veth" + Hash(d.Key);
        var ns = d.Namespace;
        var rootCmds = new List<string>
        {
            NsCommand.Ip(root, ["link", "add", hostEnd, .. d.Link.Mtu is { } mtu ? new[] { "mtu", mtu.ToString(CultureInfo.InvariantCulture) } : [],
                "type", "veth", "peer", "name", d.Link.Name, .. d.Link.Mtu is { } m2 ? new[] { "mtu", m2.ToString(CultureInfo.InvariantCulture) } : [],
                "netns", NsCommand.NetnsArg(ns)]),
        };
        if (bridge is not null) rootCmds.AddRange(BridgePortCheck.Commands(t, root, hostEnd, bridge, null));
        rootCmds.Add(NsCommand.Ip(root, "link", "set", "dev", hostEnd, "up"));
        if (bridge is null && addr is not null) rootCmds.Add(NsCommand.Ip(root, "route", "replace", addr.Address.ToString(), "dev", hostEnd, "scope", "link"));
        return [NsCommand.Step(ns, [NsCommand.Ip(ns, "link", "del", "dev", d.Link.Name)]), NsCommand.Step(root, rootCmds),
                NsCommand.Step(ns, DeviceRestore.Commands(d))];
    }

    internal static string? PeerNamespaceMissing(DeviceRef d)
    {
        if (d.Link.LinkNamespace is { } id && d.Host.FindNamespace(id) is null) return $"its peer's namespace {id} is not in the input";
        if (d.Link.LinkNamespace is null && d.Link.LinkNetnsId is { } nsid &&
            d.Ns.NetnsIds.FirstOrDefault(x => x.Id == nsid) is { Namespace: { } target } && d.Host.FindNamespace(target) is null)
            return $"its peer's namespace (netnsid {nsid}, {target}) is not in the input";
        return null;
    }

    private static string Hash(string s)
    {
        uint h = 2166136261;
        foreach (char c in s) h = (h ^ c) * 16777619;
        return h.ToString("x8", CultureInfo.InvariantCulture)[..8];
    }
}
