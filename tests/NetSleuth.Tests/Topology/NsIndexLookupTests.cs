using NetSleuth.Model;
using NetSleuth.Synth;
using NetSleuth.Topology;

namespace NetSleuth.Tests.Topology;

/// <summary>
/// The tracer reads sysctls, OVS interfaces' iface-ids and namespace keys through the topology's per-namespace indexes
/// (<see cref="NsIndex"/>) instead of the model's sorted maps and lists: on the lab snapshots and a generated cluster
/// (whose nodes hold hundreds of sysctls, the indexed case), every lookup must give what the model's plain lookup gives.
/// </summary>
public sealed class NsIndexLookupTests
{
    public static TheoryData<string> Inputs()
    {
        var data = new TheoryData<string> { "synth" };
        foreach (var f in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "lab"), "*.json").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(f));
        return data;
    }

    private static Snapshot Load(string input) => input == "synth"
        ? new ClusterGenerator(new SynthOptions(4, 12, SynthStyle.PeerPods, Seed: 5) with { Faults = 4 }).GenerateAll().Item1
        : SnapshotJson.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "lab", input));

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Given_an_input_When_its_sysctls_are_read_through_the_topology_Then_each_equals_the_models_lookup(string input)
    {
        var snap = Load(input);
        var t = Linker.Link(snap);
        int checkedKeys = 0;
        foreach (var h in snap.Hosts)
        foreach (var ns in h.Namespaces)
        {
            var names = new HashSet<string>(StringComparer.Ordinal) { "forwarding", "rp_filter", "arp_ignore", "arp_announce", "proxy_arp", "no_such_setting" };
            var devs = new HashSet<string>(StringComparer.Ordinal) { "all", "default", "no-such-device" };
            foreach (var l in ns.Links) devs.Add(l.Name);
            foreach (var key in ns.Sysctls.Keys)
            {
                Assert.Equal(ns.Sysctl(key), t.Sysctl(ns, key));
                checkedKeys++;
                if (key.StartsWith("net.ipv4.conf.", StringComparison.Ordinal) && key.LastIndexOf('.') is var dot && dot > 14)
                {
                    devs.Add(key[14..dot]);
                    names.Add(key[(dot + 1)..]);
                }
            }
            foreach (var key in new[] { "net.ipv4.ip_forward", "net.bridge.bridge-nf-call-iptables", "net.ipv4.conf", "", "no.such.key" })
                Assert.Equal(ns.Sysctl(key), t.Sysctl(ns, key));
            foreach (var dev in devs)
            foreach (var name in names)
                Assert.Equal(ns.Sysctl($"net.ipv4.conf.{dev}.{name}"), t.ConfSysctl(ns, dev, name));
        }
        Assert.True(checkedKeys > 0, "no sysctl in the input: the comparison proves nothing");
        if (input == "synth")
            Assert.Contains(snap.Hosts.SelectMany(h => h.Namespaces), n => n.Sysctls.Count >= NsIndex.SysctlIndexFrom);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Given_an_input_When_OVS_iface_ids_are_read_through_the_topology_Then_each_equals_a_scan_of_the_OVSDB(string input)
    {
        var snap = Load(input);
        var t = Linker.Link(snap);
        foreach (var h in snap.Hosts)
        foreach (var ns in h.Namespaces)
        {
            var names = new HashSet<string>(StringComparer.Ordinal) { "no-such-interface" };
            foreach (var l in ns.Links) names.Add(l.Name);
            foreach (var b in ns.Ovs?.Bridges ?? [])
                foreach (var p in b.Ports)
                    foreach (var i in p.Interfaces) names.Add(i.Name);
            foreach (var name in names) Assert.Equal(Scan(ns, name), t.OvsIfaceId(ns, name));
        }
    }

    /// <summary>The plain lookup: the first interface of that name, in the OVSDB's order, that has an iface-id.</summary>
    private static string? Scan(NetNamespace ns, string name)
    {
        foreach (var b in ns.Ovs?.Bridges ?? [])
            foreach (var p in b.Ports)
                foreach (var i in p.Interfaces)
                    if (i.Name == name && i.ExternalIds.TryGetValue("iface-id", out var id)) return id;
        return null;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Given_an_input_When_namespace_keys_are_compared_without_building_them_Then_the_answer_is_the_keys_equality(string input)
    {
        var snap = Load(input);
        var all = snap.Hosts.SelectMany(h => h.Namespaces.Select(n => new NsRef(h, n))).Take(60).ToList();
        // the same names in other objects, and names whose joined keys collide ("a/b" + "c" and "a" + "b/c")
        var h1 = new Host { Name = "a/b" };
        var h2 = new Host { Name = "a" };
        all.Add(new NsRef(h1, new NetNamespace { Id = "c" }));
        all.Add(new NsRef(h2, new NetNamespace { Id = "b/c" }));
        all.Add(new NsRef(h2, new NetNamespace { Id = "b/d" }));
        if (all.Count > 0) all.Add(new NsRef(new Host { Name = new string(all[0].Host.Name) }, new NetNamespace { Id = new string(all[0].Ns.Id) }));
        foreach (var a in all)
            foreach (var b in all)
                Assert.Equal(a.Key == b.Key, NsRef.SameKey(a, b));
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Given_an_input_When_places_are_written_into_text_in_place_Then_the_text_is_their_ToString(string input)
    {
        var t = Linker.Link(Load(input));
        Span<char> small = stackalloc char[3];
        foreach (var d in t.Devices)
        {
            Assert.Equal(d.ToString(), $"{d}");
            Assert.Equal(d.Namespace.ToString(), $"{d.Namespace}");
            Assert.Equal(d.ToString(), ((Place)d).ToString());
            Assert.Equal(d.Namespace.ToString(), ((Place)d.Namespace).ToString());
            Assert.False(d.TryFormat(small, out int n, default, null) && n != d.ToString().Length);
        }
    }
}
