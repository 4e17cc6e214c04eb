using NetSleuth.Model;

namespace NetSleuth.Collect;

/// <summary>
/// Host-wide checks once every namespace is read: names the vxlan underlay devices that live in
/// another namespace, and cross-checks veth pairs (the peer index in the resolved namespace must be
/// a veth pointing back). Disagreements become warnings.
/// </summary>
internal static class LinkResolution
{
    public static void Apply(Host host)
    {
        foreach (var ns in host.Namespaces)
            foreach (var l in ns.Links)
            {
                if (l.LinkNetnsId is not null && l.LinkNamespace is null)
                    host.Warnings.Add(new Warning($"{l.Name}: link-netnsid {l.LinkNetnsId} could not be resolved to a namespace", null, ns.Id));
                if (l.Vxlan is { UnderlayIndex: { } ui } vx && l.LinkNamespace is { } uns && host.FindNamespace(uns) is { } under)
                {
                    var dev = under.FindLink(ui);
                    if (dev is not null) vx.UnderlayDevice = dev.Name;
                    else host.Warnings.Add(new Warning($"{l.Name}: vxlan underlay ifindex {ui} not found in {uns}", null, ns.Id));
                }
                if (l.IsVeth && l.LinkIndex is { } pi && l.LinkNamespace is { } pns && host.FindNamespace(pns) is { } peerNs)
                {
                    var peer = peerNs.FindLink(pi);
                    if (peer is null || !peer.IsVeth || peer.LinkIndex != l.Index || peer.LinkNamespace != ns.Id)
                        host.Warnings.Add(new Warning(
                            $"veth {l.Name}: its peer (ifindex {pi} in {pns}) is {(peer is null ? "missing" : $"{peer.Name}, which does not point back")}", null, ns.Id));
                }
            }
    }
}
