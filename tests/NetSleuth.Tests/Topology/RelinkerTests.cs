using NetSleuth.Diagnosis;
using NetSleuth.Model;
using NetSleuth.Synth;
using NetSleuth.Topology;
using NetSleuth.WhatIf;

namespace NetSleuth.Tests.Topology;

/// <summary>
/// <see cref="Relinker"/> must give what a full link of the edited copy gives: for edits of every what-if command
/// kind on the synthetic styles and on the snapshots collected from the labs (Fixtures/lab), and for the fixes
/// diagnose prints on them, the edges, the assumptions, the unresolved ends and every index agree.
/// </summary>
public sealed class RelinkerTests
{
    [Theory]
    [InlineData(SynthStyle.Ovs)]
    [InlineData(SynthStyle.Bridge)]
    [InlineData(SynthStyle.PeerPods)]
    public void Given_a_synthetic_cluster_with_every_fault_When_each_fix_and_each_kind_of_edit_is_applied_Then_the_relink_equals_a_full_link(SynthStyle style)
    {
        var probe = new SynthOptions(6, 3, style, Seed: 5);
        int kinds = ClusterGenerator.FaultNames(probe).Count;
        var (snap, _) = new ClusterGenerator(probe with { Faults = Math.Min(kinds, 6) }).GenerateAll();
        int applied = Check(snap);
        Assert.True(applied >= 30, $"only {applied} edits applied to the model");
    }

    public static TheoryData<string> LabFixtures()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "lab"), "*.json").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(LabFixtures))]
    public void Given_a_lab_snapshot_When_each_fix_and_each_kind_of_edit_is_applied_Then_the_relink_equals_a_full_link(string fixture)
    {
        var snap = SnapshotJson.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "lab", fixture));
        int applied = Check(snap);
        Assert.True(applied >= 10, $"only {applied} edits applied to the model");
    }

    [Fact]
    public void Given_hosts_joined_by_a_veth_across_hosts_When_one_side_is_edited_Then_both_are_linked_again_and_the_pair_is_kept()
    {
        // lab snapshots: a lab "host" is a group of namespaces of one machine; the peer-pods lab joins them by veth
        var file = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "lab"), "*.json").Order(StringComparer.Ordinal)
            .First(f => CrossHostVeths(Linker.Link(SnapshotJson.Load(f))).Count > 0);
        var snap = SnapshotJson.Load(file);
        var before = Linker.Link(snap);
        var pair = CrossHostVeths(before)[0];
        // an edit on the host of one end that does not touch the pair: the pair must still be linked
        var host = pair.From.Host;
        var other = host.Namespaces.SelectMany(n => n.Links.Select(l => (n, l))).First(x => x.l != pair.From.Link && !x.l.IsLoopback);
        var script = CommandInterpreter.Read($"{host.Name}: {Ip(other.n)}link set dev {other.l.Name} mtu 1280\n", "t.sh", snap);
        var copy = ModelCopy.Apply(snap, script);
        var after = Relinker.Relink(before, copy.Result);
        Assert.InRange(after.HostsRelinked, 2, snap.Hosts.Count); // the edited host and the host its veth pair joins
        AssertSame(Linker.Link(copy.Result), after, "mtu on " + host.Name);
        Assert.Contains(after.Edges, e => e.Kind == EdgeKind.Veth && e.To is not null && e.From.Host != e.To.Host);
        // and an edit of the cross-host veth end itself
        var script2 = CommandInterpreter.Read($"{host.Name}: {Ip(pair.From.Ns)}link set dev {pair.From.Link.Name} name moved0\n", "t.sh", snap);
        var copy2 = ModelCopy.Apply(snap, script2);
        AssertSame(Linker.Link(copy2.Result), Relinker.Relink(before, copy2.Result), "rename of a cross-host veth end");
    }

    [Fact]
    public void Given_tunnels_across_hosts_When_an_edit_changes_what_a_join_of_other_hosts_read_Then_that_join_is_made_again_and_the_others_replayed()
    {
        // the joins across hosts (a VXLAN device's far end, an underlay segment, a routed underlay edge) are replayed from
        // the original when what they read did not change: these edits change what joins of hosts they do not touch read
        // peer-pods: each pod's VXLAN device on a node is joined to one on its pod VM, across underlay subnets
        var (snap, _) = new ClusterGenerator(new SynthOptions(6, 3, SynthStyle.PeerPods, Seed: 5)).GenerateAll();
        var before = Linker.Link(snap);
        var tunnel = before.Edges.First(e => e.Kind == EdgeKind.Tunnel && e.To is { } to && to.Host != e.From.Host
            && e.From.Link.Vxlan?.Remote is not null && to.Link.Vxlan?.Remote is not null);
        DeviceRef near = tunnel.From, far = tunnel.To!;
        var remote = near.Link.Vxlan!.Remote!;
        // the device on the far host that holds the near device's remote, and a third host of the far host's kind
        var owner = before.OwnersOf(remote).First(o => o.Device.Host == far.Host);
        var third = before.Devices.First(d => d.Ns.IsRoot && d.Host != far.Host && d.Host != near.Host && Kind(d.Host) == Kind(far.Host)
            && d.Link.Addresses.Any(a => a.Prefix.IsV4 && a.Scope is null or "global") && !d.Link.IsLoopback);
        var nearUnderlay = before.OwnersOf(far.Link.Vxlan!.Remote!).First(o => o.Device.Host == near.Host);
        var farLink = $"{far.Host.Name}: {Ip(far.Ns)}";
        var vx = far.Link.Vxlan;
        var recreate = (uint vni, int port) => $"{farLink}link del {far.Link.Name}\n{farLink}link add {far.Link.Name} type vxlan id {vni} remote {vx.Remote} dstport {port}\n";
        var otherSubnet = third.Link.Addresses.First(a => a.Prefix.IsV4 && a.Scope is null or "global").Prefix;
        var moved = $"{otherSubnet.Network.Address.ToString()[..otherSubnet.Network.Address.ToString().LastIndexOf('.')]}.250/{otherSubnet.Length}";
        var edits = new List<(string What, string Text)>
        {
            // the owner of the near device's remote moves to a third host: the near host's join reads its owners
            ("remote's address to a third host", $"{far.Host.Name}: ip addr del {owner.Address.Prefix} dev {owner.Device.Link.Name}\n" +
                $"{third.Host.Name}: ip addr add {owner.Address.Prefix} dev {third.Link.Name}\n"),
            ("remote's address removed", $"{far.Host.Name}: ip addr del {owner.Address.Prefix} dev {owner.Device.Link.Name}\n"),
            // the far end's VNI, port, name change: the near host's join read its VXLAN details
            ("far end's VNI", recreate((vx!.Vni ?? 1) + 7, vx.DstPort ?? 4789)),
            ("far end's port", recreate(vx.Vni ?? 1, (vx.DstPort ?? 4789) + 1)),
            ("far end renamed", $"{farLink}link set dev {far.Link.Name} name vxr0\n"),
            ("far end's remote", $"{farLink}link set dev {far.Link.Name} type vxlan remote {owner.Address.Address}\n"),
            // the far end's way back: the address it points to leaves the near host's underlay
            ("way back's address removed", $"{near.Host.Name}: ip addr del {nearUnderlay.Address.Prefix} dev {nearUnderlay.Device.Link.Name}\n"),
            // an underlay address moves to another subnet: segments and routed underlay edges change
            ("underlay address to another subnet", $"{far.Host.Name}: ip addr del {owner.Address.Prefix} dev {owner.Device.Link.Name}\n" +
                $"{far.Host.Name}: ip addr add {moved} dev {owner.Device.Link.Name}\n"),
            ("remote's address on a third host too", $"{third.Host.Name}: ip addr add {owner.Address.Prefix.Address}/{owner.Address.Prefix.Length} dev {third.Link.Name}\n"),
        };
        foreach (var (what, text) in edits)
        {
            var copy = ModelCopy.Apply(snap, CommandInterpreter.Read(text, "t.sh", snap));
            var relinked = Relinker.Relink(before, copy.Result);
            Assert.InRange(relinked.HostsRelinked, 1, snap.Hosts.Count - 1);
            Assert.True(relinked.JoinsReplayed > 0, what + ": no join was replayed");
            AssertSame(Linker.Link(copy.Result), relinked, what + ": " + text.Trim());
        }
        AssertSame(Linker.Link(snap), before, "the original after every relink");

        static string Kind(Host h) => new(h.Name.TakeWhile(ch => !char.IsDigit(ch)).ToArray());
    }

    [Fact]
    public void Given_a_flannel_mesh_When_an_edit_changes_who_owns_an_fdb_entrys_dst_on_hosts_it_does_not_touch_Then_the_relink_equals_a_full_link()
    {
        // flannel: each node's flannel.1 has an FDB entry per other node, dst = that node's underlay address. A re-link keeps the
        // ends of the nodes it leaves alone unless the owners of their dst may have changed: these edits change the owners
        // of dsts held by untouched hosts (a duplicate address), or give an owner to a dst no host held
        var (snap, _) = new ClusterGenerator(new SynthOptions(5, 2, SynthStyle.Bridge, Seed: 3)).GenerateAll();
        var before = Linker.Link(snap);
        var mesh = before.Devices.Where(d => d.Link.Kind == LinkKinds.Vxlan && before.Tunnel(d)?.FdbEnds.Count > 0).ToList();
        Assert.True(mesh.Count >= 4, "a mesh of flannel.1 devices");
        var ends = before.Tunnel(mesh[0])!.FdbEnds;
        // a node whose underlay address is the dst of other nodes' entries, and an edited node that is neither
        var held = ends.First(e => e.Far is not null);
        var owner = before.OwnersOf(held.Dst).First();
        var editor = mesh.First(d => d.Host != owner.Device.Host && d.Host != mesh[0].Host).Host;
        var underlay = before.Devices.First(d => d.Host == editor && d.Ns.IsRoot && !d.Link.IsLoopback && d.Link.Kind is null
            && d.Link.Addresses.Any(a => a.Prefix.IsV4));
        var edits = new List<(string What, string Text)>
        {
            ("another node's underlay address on a third node too", $"{editor.Name}: ip addr add {held.Dst}/32 dev {underlay.Link.Name}\n"),
            ("a dst no node held given to a node", $"{editor.Name}: ip addr add 10.254.254.254/32 dev {underlay.Link.Name}\n" +
                $"{mesh[0].Host.Name}: bridge fdb append 02:00:00:00:00:42 dev {mesh[0].Link.Name} dst 10.254.254.254 self permanent\n"),
        };
        // the entry no node held, in the original too (edited on a host of its own): the kept end must not stay unresolved
        var orphan = $"{mesh[0].Host.Name}: bridge fdb append 02:00:00:00:00:42 dev {mesh[0].Link.Name} dst 10.254.254.254 self permanent\n";
        var withOrphan = ModelCopy.Apply(snap, CommandInterpreter.Read(orphan, "t.sh", snap)).Result;
        var beforeOrphan = Linker.Link(withOrphan);
        Assert.Contains(beforeOrphan.Tunnel(beforeOrphan.Devices.First(d => d.Host.Name == mesh[0].Host.Name && d.Link.Name == mesh[0].Link.Name))!.FdbEnds,
            e => e.Dst.ToString() == "10.254.254.254" && e.Far is null);
        var given = ModelCopy.Apply(withOrphan, CommandInterpreter.Read($"{editor.Name}: ip addr add 10.254.254.254/32 dev {underlay.Link.Name}\n", "t.sh", withOrphan)).Result;
        AssertSame(Linker.Link(given), Relinker.Relink(beforeOrphan, given), "an unowned dst given to a node");
        foreach (var (what, text) in edits)
        {
            var copy = ModelCopy.Apply(snap, CommandInterpreter.Read(text, "t.sh", snap));
            AssertSame(Linker.Link(copy.Result), Relinker.Relink(before, copy.Result), what + ": " + text.Trim());
        }
    }

    private static List<Edge> CrossHostVeths(NetSleuth.Topology.Topology t) =>
        t.Edges.Where(e => e.Kind == EdgeKind.Veth && e.To is not null && e.From.Host != e.To.Host).ToList();

    /// <summary>Applies every generated edit and every finding's fix, one at a time; asserts each relink; returns how many applied.</summary>
    private static int Check(Snapshot snap)
    {
        var before = Linker.Link(snap);
        var scripts = Edits(before).ToList();
        var report = Diagnoser.Run(before, null, new DiagnoseOptions { VerifyFixes = false, SearchFixes = false });
        foreach (var f in report.Findings)
            if (f.Fix.Count > 0)
                scripts.Add(("fix of " + f.Id, string.Concat(f.Fix.SelectMany(s => s.Commands.Select(c => $"{s.Host}: {c}\n")))));
        int applied = 0;
        foreach (var (what, text) in scripts)
        {
            ModelCopy copy;
            try { copy = ModelCopy.Apply(snap, CommandInterpreter.Read(text, "t.sh", snap)); }
            catch (InputException) { continue; } // the model refuses it (no such route, …): nothing to link
            if (copy.TouchedHosts.Count == 0) continue;
            applied++;
            var relinked = Relinker.Relink(before, copy.Result);
            // the incremental path, not the fallback to a full link
            Assert.InRange(relinked.HostsRelinked, copy.TouchedHosts.Count, snap.Hosts.Count);
            AssertSame(Linker.Link(copy.Result), relinked, what + ": " + text.Trim());
        }
        // the original is not changed by a relink from it
        AssertSame(Linker.Link(snap), before, "the original after every relink");
        return applied;
    }

    private static string Ip(NetNamespace ns) => ns.IsRoot || ns.Name is null ? "ip " : $"ip -n {ns.Name} ";

    /// <summary>Per host (the first few of each role), edits of each command kind on its devices.</summary>
    private static IEnumerable<(string What, string Text)> Edits(NetSleuth.Topology.Topology t)
    {
        var hosts = t.Hosts.GroupBy(h => new string(h.Name.TakeWhile(ch => !char.IsDigit(ch)).ToArray())).SelectMany(g => g.Take(2)).ToList();
        foreach (var h in hosts)
        {
            var devices = t.Devices.Where(d => d.Host == h && !d.Link.IsLoopback && (d.Ns.IsRoot || d.Ns.Name is not null)).ToList();
            var picks = new List<DeviceRef>();
            foreach (var kind in new[] { LinkKinds.Veth, LinkKinds.Bridge, LinkKinds.Vxlan, LinkKinds.OpenVSwitch, null })
                picks.AddRange(devices.Where(d => d.Link.Kind == kind).Take(2));
            picks.AddRange(devices.Where(d => d.Link.Master is not null).Take(2));
            picks.AddRange(devices.Where(d => t.VethPeer(d) is { } p && p.Ns != d.Ns).Take(2));
            foreach (var d in picks.Distinct())
            {
                var on = $"{h.Name}: {Ip(d.Ns)}";
                var dev = d.Link.Name;
                var what = $"{d} ";
                yield return (what + "down", $"{on}link set dev {dev} down\n");
                yield return (what + "mac", $"{on}link set dev {dev} address 02:00:00:00:{d.Link.Index & 0xff:x2}:99\n");
                yield return (what + "mtu", $"{on}link set dev {dev} mtu 1280\n");
                yield return (what + "rename", $"{on}link set dev {dev} name rn{d.Link.Index}\n");
                yield return (what + "delete", $"{on}link del {dev}\n");
                yield return (what + "nomaster", $"{on}link set dev {dev} nomaster\n");
                if (t.BridgeOf(d) is null && d.Ns.Links.FirstOrDefault(l => l.Kind == LinkKinds.Bridge && l.Name != dev) is { } br)
                    yield return (what + "master", $"{on}link set dev {dev} master {br.Name}\n");
                if (d.Link.Addresses.FirstOrDefault(a => a.Prefix.IsV4) is { } addr)
                {
                    yield return (what + "addr del", $"{on}addr del {addr.Prefix} dev {dev}\n");
                    // the address moved to another host's device: owners across hosts change
                    var far = t.Devices.FirstOrDefault(x => x.Host != h && x.Ns.IsRoot && !x.Link.IsLoopback && x.Link.Addresses.Count > 0);
                    if (far is not null)
                        yield return (what + "addr to " + far, $"{on}addr del {addr.Prefix} dev {dev}\n{far.Host.Name}: ip addr add {addr.Prefix} dev {far.Link.Name}\n");
                }
                yield return (what + "addr add", $"{on}addr add 10.250.{d.Link.Index & 0xff}.1/24 dev {dev}\n");
                yield return (what + "route", $"{on}route add 10.251.0.0/16 dev {dev}\n");
                yield return (what + "neigh", $"{on}neigh add 10.250.0.9 lladdr 02:00:00:00:00:98 dev {dev} nud permanent\n");
                yield return (what + "fdb", $"{h.Name}: bridge {(d.Ns.IsRoot ? "" : $"-n {d.Ns.Name} ")}fdb add 02:00:00:00:00:97 dev {dev} master\n");
                if (d.Ns.Name is null || d.Ns.IsRoot)
                {
                    if (h.Namespaces.FirstOrDefault(n => !n.IsRoot && n.Name is not null) is { } other)
                        yield return (what + "netns", $"{on}link set dev {dev} netns {other.Name}\n");
                }
                else if (h.Root is not null)
                    yield return (what + "netns root", $"{on}link set dev {dev} netns 1\n");
                if (d.Link.Kind == LinkKinds.Vxlan)
                {
                    var remote = t.Devices.Where(x => x.Host != h && x.Ns.IsRoot).SelectMany(x => x.Link.Addresses).FirstOrDefault(a => a.Prefix.IsV4 && !System.Net.IPAddress.IsLoopback(a.Address));
                    if (remote is not null) yield return (what + "vxlan remote", $"{on}link set dev {dev} type vxlan remote {remote.Address}\n");
                    yield return (what + "vxlan re-created", $"{on}link del {dev}\n{on}link add {dev} type vxlan id {(d.Link.Vxlan?.Vni ?? 1) + 1} {(d.Link.Vxlan?.Remote is { } r ? $"remote {r} " : "")}dstport {d.Link.Vxlan?.DstPort ?? 4789}\n");
                }
                if (d.Ns.Ovs is { } ovs)
                {
                    foreach (var b in ovs.Bridges.Take(1))
                    {
                        if (b.Ports.SelectMany(p => p.Interfaces).FirstOrDefault(i => i.Name != b.Name) is { } port)
                            yield return ($"{h.Name} ovs del-port {port.Name}", $"{h.Name}: {(d.Ns.IsRoot ? "" : $"ip netns exec {d.Ns.Name} ")}ovs-vsctl del-port {b.Name} {port.Name}\n");
                        yield return ($"{h.Name} ovs add-port {dev}", $"{h.Name}: {(d.Ns.IsRoot ? "" : $"ip netns exec {d.Ns.Name} ")}ovs-vsctl add-port {b.Name} {dev}\n");
                    }
                }
            }
            var ns0 = h.Root ?? h.Namespaces.FirstOrDefault();
            if (ns0 is null) continue;
            var at = $"{h.Name}: {Ip(ns0)}";
            yield return ($"{h.Name} forwarding off", $"{h.Name}: sysctl -w net.ipv4.ip_forward=0\n");
            yield return ($"{h.Name} forward drop", $"{h.Name}: iptables -P FORWARD DROP\n");
            yield return ($"{h.Name} veth pair", $"{at}link add vtest0 type veth peer name vtest1\n");
            yield return ($"{h.Name} vxlan added", $"{at}link add vxtest0 type vxlan id 4242 remote 198.51.100.7 dstport 4789\n");
            if (ns0.Routes.FirstOrDefault(r => r.Table == 254) is { } route)
                yield return ($"{h.Name} route del", $"{at}route del {route.Destination}\n");
        }
    }

    /// <summary>The two topologies agree on everything the tracer, the checks and the renderers read.</summary>
    internal static void AssertSame(NetSleuth.Topology.Topology full, NetSleuth.Topology.Topology inc, string what)
    {
        void Eq<T>(IEnumerable<T> a, IEnumerable<T> b, string part)
        {
            var x = a.Select(v => v?.ToString() ?? "null").ToList();
            var y = b.Select(v => v?.ToString() ?? "null").ToList();
            if (x.SequenceEqual(y)) return;
            int k = 0;
            while (k < x.Count && k < y.Count && x[k] == y[k]) k++;
            Assert.Fail($"{what}: {part} differ at {k}: full {(k < x.Count ? x[k] : "(end)")} | relinked {(k < y.Count ? y[k] : "(end)")} ({x.Count} vs {y.Count})");
        }
        static string E(Edge e) => $"{e.Kind}|{D(e.From)}|{D(e.To)}|{e.Label}|{e.Assumption}";
        static string D(DeviceRef? d) => d is null ? "-" : $"{d.Host.Name}/{d.Ns.Id}/{d.Link.Name}#{System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(d.Link)}";
        static string A(Assumption a) => $"{a.Text}|{D(a.Device)}|{a.Source}";
        static string Tm(TunnelMatch? m) => m is null ? "none" :
            $"{D(m.Device)}|{m.Underlay}|{D(m.Far)}|{m.FarUnderlay}|{string.Join(",", m.NearMisses.Select(x => D(x.Far) + x.Reason))}|" +
            string.Join(",", m.FdbEnds.Select(e => $"{e.Entry.Mac}>{e.Dst}/{e.Vni}/{e.Port}/{e.FarUnderlay}/{D(e.Far)}/{string.Join(";", e.NearMisses.Select(x => D(x.Far) + x.Reason))}"));
        static string Macs<TV>(IReadOnlyDictionary<MacAddress, TV> m, Func<TV, string> f) => string.Join(",", m.Select(kv => $"{kv.Key}={f(kv.Value)}"));

        Assert.True(inc.IsFrozen, what + ": the relinked topology is frozen");
        Eq(full.Devices.Select(D), inc.Devices.Select(D), "devices");
        Eq(full.Edges.Select(E), inc.Edges.Select(E), "edges");
        Eq(full.Edges.Where(e => e.To is null).Select(E), inc.Edges.Where(e => e.To is null).Select(E), "unresolved ends");
        Eq(full.Assumptions.Select(A), inc.Assumptions.Select(A), "assumptions");
        Eq(full.Segments.Select(s => $"{s.Subnet}:{string.Join(",", s.Members.Select(D))}"), inc.Segments.Select(s => $"{s.Subnet}:{string.Join(",", s.Members.Select(D))}"), "segments");
        Eq(full.AddressesIn(IpPrefix.Parse("0.0.0.0/0")).Select(o => $"{o.Address.Prefix}@{D(o.Device)}"),
            inc.AddressesIn(IpPrefix.Parse("0.0.0.0/0")).Select(o => $"{o.Address.Prefix}@{D(o.Device)}"), "the IPv4 address index");
        var addresses = full.Devices.SelectMany(d => d.Link.Addresses.Select(a => a.Address)).Concat(inc.Devices.SelectMany(d => d.Link.Addresses.Select(a => a.Address))).Distinct().ToList();
        Eq(addresses.Select(ip => $"{ip}:{string.Join(",", full.OwnersOf(ip).Select(o => D(o.Device) + o.Address.Prefix))}"),
            addresses.Select(ip => $"{ip}:{string.Join(",", inc.OwnersOf(ip).Select(o => D(o.Device) + o.Address.Prefix))}"), "owners");
        Eq(full.Owners.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal), inc.Owners.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal), "owned addresses");
        var fd = full.Devices.ToList();
        var id = inc.Devices.ToList();
        for (int i = 0; i < fd.Count; i++)
        {
            DeviceRef a = fd[i], b = id[i];
            string Dev(NetSleuth.Topology.Topology t, DeviceRef d)
            {
                var s = $"{D(d)} out[{string.Join(";", t.EdgesFrom(d).Select(E))}] in[{string.Join(";", t.EdgesTo(d).Select(E))}] " +
                    $"peer {D(t.VethPeer(d))} bridge {D(t.BridgeOf(d))} ports[{string.Join(",", t.PortList(d).Select(D))}] " +
                    $"bymac[{Macs(t.PortByMac(d), D)}] tunnel {Tm(t.Tunnel(d))} segment {t.SegmentOf(d)?.Subnet} " +
                    $"byindex {D(t.Device(d.Host, d.Ns, d.Link.Index))} byname {D(t.Device(d.Host, d.Ns, d.Link.Name))}";
                foreach (var p in t.PortList(d))
                    if ((t.VethPeer(p) ?? p).Link.Mac is { } m) s += $" for {m}:{D(t.PortForMac(d, m))}";
                foreach (var e in d.Ns.Fdb)
                    if (e.Master == d.Link.Name) s += $" fdb {e.Mac}:{D(t.PortForMac(d, e.Mac))}";
                foreach (var e in t.Tunnel(d)?.FdbEnds ?? [])
                    s += $" fdbend {e.Entry.Mac}:{e.Dst}";
                if (t.SegmentOf(d) is { } seg)
                    foreach (var m in seg.Members)
                        if (m.Link.Mac is { } mac) s += $" seg {mac}:{D(t.SegmentMember(seg, mac))}";
                s += $" lookups {t.IsFrozen}";
                return s;
            }
            var x = Dev(full, a);
            var y = Dev(inc, b);
            if (x != y) Assert.Fail($"{what}: device {a} differs:\nfull     {x}\nrelinked {y}");
        }
        foreach (var ns in full.Namespaces)
        {
            Assert.Equal(full.UserspaceOvsInterfaces(ns.Ns).Order(StringComparer.Ordinal), inc.UserspaceOvsInterfaces(ns.Ns).Order(StringComparer.Ordinal));
            Assert.Same(inc.Fib(ns.Ns), inc.Fib(ns.Ns)); // held by the frozen topology, not made at each call
        }
        Eq(full.LogicalSwitchPorts.Keys, inc.LogicalSwitchPorts.Keys, "OVN logical switch ports");
    }
}
