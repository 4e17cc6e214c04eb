using System.Net;
using NetSleuth.Import;
using NetSleuth.Model;
using NetSleuth.Tests.Import;
using NetSleuth.WhatIf;

namespace NetSleuth.Tests.WhatIf;

/// <summary>The what-if interpreter on the bundled example (two pasted sessions: worker and podvm).</summary>
public sealed class CommandInterpreterTests
{
    internal static Snapshot Example() =>
        InputLoader.Load([ImportTestKit.Fixture("transcripts", "worker.txt"), ImportTestKit.Fixture("transcripts", "podvm.txt")]);

    private static NetNamespace Ns(Snapshot s, string host, string? name) =>
        s.Hosts.Single(h => h.Name == host).Namespaces.Single(n => name is null ? n.IsRoot : n.Name == name);

    [Fact]
    public void Given_the_commands_diagnose_prints_and_users_write_when_read_then_each_becomes_its_edit_in_the_namespace_it_names()
    {
        var s = Example();
        var script = CommandInterpreter.Read("""
            #!/bin/sh
            set -e
            # host: podvm
            ip -n nimp31f392-vmpod link set dev vxlan0 down
            sudo ip -n nimp31f392-vmpod link set vxlan0 address 0a:58:0a:84:02:2e up
            ip netns exec nimp31f392-vmpod ip route replace default via 198.18.2.1 dev vxlan0
            worker: sysctl -w net.ipv4.ip_forward=1
            ssh worker 'ip neigh replace 198.18.2.46 lladdr 0a:58:0a:84:02:2e dev ovn-k8s-mp0 nud permanent'
            Fix on worker, namespace nimp31f392-wkpod:
                tc -n nimp31f392-wkpod filter del dev eth0 parent ffff: pref 49152
            ip -n nimp31f392-wkpod li set eth0 mtu 1350; ip -n nimp31f392-wkpod r add blackhole 10.9.0.0/16
            tc -n nimp31f392-wkpod filter add dev eth0 parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev vxlan1
            ip -n nimp31f392-wkpod route add 10.8.0.0/16 dev eth0 \
                metric 5
            """, "fix.sh", s);

        var c = script.Commands;
        Assert.True(script.FullyModelled, string.Join("\n", script.NotModelled));
        Assert.Equal(10, c.Count);
        Assert.All(c.Take(3), x => Assert.Equal(("podvm", "nimp31f392-vmpod"), (x.Host, x.Netns)));
        var set = Assert.IsType<LinkSetEdit>(Assert.Single(c[1].Edits));
        Assert.Equal(("vxlan0", "0a:58:0a:84:02:2e", true), (set.Device, set.Mac.ToString(), set.Up));
        Assert.Equal(new SourceRef("fix.sh", 5), c[1].Source);
        Assert.Equal(("worker", null), (c[3].Host, c[3].Netns));
        Assert.Equal("net.ipv4.ip_forward", Assert.IsType<SysctlEdit>(c[3].Edits[0]).Key);
        Assert.Equal("worker", c[4].Host);
        Assert.IsType<NeighborEdit>(c[4].Edits[0]);
        Assert.Equal(("worker", "nimp31f392-wkpod"), (c[5].Host, c[5].Netns)); // the "Fix on" header as the text report prints it
        Assert.Equal(49152, Assert.IsType<TcFilterEdit>(c[5].Edits[0]).Pref);
        Assert.Equal(1350, Assert.IsType<LinkSetEdit>(c[6].Edits[0]).Mtu);
        Assert.Equal(RouteTypes.Blackhole, Assert.IsType<RouteEdit>(c[7].Edits[0]).Route.Type);
        Assert.Equal("vxlan1", Assert.IsType<TcFilterEdit>(c[8].Edits[0]).Actions[0].TargetDevice);
        Assert.Equal(5u, Assert.IsType<RouteEdit>(c[9].Edits[0]).Route.Metric); // continued over two lines, reported at the first
        Assert.Equal(new SourceRef("fix.sh", 13), c[9].Source);
    }

    [Fact]
    public void Given_commands_the_model_cannot_take_when_read_then_each_is_named_with_its_line_and_why()
    {
        var s = Example();
        var script = CommandInterpreter.Read("""
            podvm: ip -n nimp31f392-vmpod link set dev vxlan0 down
            podvm: ethtool -K ens2 tx off
            podvm: tc qdisc add dev ens2 root netem delay 10ms
            podvm: ip link set ens2 arp off
            """, "w.sh", s);
        var nm = script.NotModelled.ToList();
        Assert.Equal([2, 3, 4], nm.Select(x => x.Source.Line));
        Assert.Contains("ethtool", nm[0].NotModelled);
        Assert.Contains("root qdiscs", nm[1].NotModelled);
        Assert.Contains("arp", nm[2].NotModelled);
    }

    [Theory]
    [InlineData("podvm: ip route add 10.0.0.0/33 dev ens2", "w.sh:1: not an IP prefix: '10.0.0.0/33'")]
    [InlineData("podvm: ip -n nosuchns link set dev x up", "w.sh:1: unknown namespace 'nosuchns' on host podvm")]
    [InlineData("ip link set dev ens2 up", "w.sh:1: which host does this run on?")]
    [InlineData("# host: nowhere", "w.sh:1: unknown host 'nowhere'")]
    [InlineData("podvm: ip neigh replace 10.0.0.1 dev ens2", "w.sh:1: `ip neigh replace` needs `lladdr MAC`")]
    [InlineData("podvm: ip link set dev ens2 address 0a:58:zz:00:00:01", "w.sh:1: not a MAC address: '0a:58:zz:00:00:01'")]
    public void Given_a_bad_command_when_read_then_the_error_names_file_line_and_what_is_wrong(string line, string expected)
    {
        var e = Assert.Throws<InputException>(() => CommandInterpreter.Read(line, "w.sh", Example()));
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void Given_several_bad_lines_when_read_then_every_one_is_reported()
    {
        var e = Assert.Throws<InputException>(() => CommandInterpreter.Read("podvm: ip route add bogus dev ens2\n\npodvm: ip neigh add 10.0.0.1 dev ens2\n", "w.sh", Example()));
        Assert.Equal(1, e.Line);
        Assert.Contains("\nw.sh:3: `ip neigh add` needs `lladdr MAC`", e.Message);
    }

    [Fact]
    public void Given_a_command_on_an_unknown_device_when_applied_then_nothing_is_applied_and_the_error_names_the_line()
    {
        var s = Example();
        var before = SnapshotJson.SerializeFull(s);
        var script = CommandInterpreter.Read("""
            podvm: ip -n nimp31f392-vmpod link set dev vxlan0 address 0a:58:0a:84:02:2e
            podvm: ip -n nimp31f392-vmpod link set dev vxlan9 up
            """, "w.sh", s);
        var e = Assert.Throws<InputException>(() => ModelCopy.Apply(s, script));
        Assert.StartsWith("w.sh:2: `ip -n nimp31f392-vmpod link set dev vxlan9 up`: unknown device 'vxlan9' in namespace nimp31f392-vmpod of host podvm", e.Message);
        Assert.Equal(before, SnapshotJson.SerializeFull(s)); // the original is never touched
    }

    [Fact]
    public void Given_edits_when_applied_then_the_copy_changes_as_the_kernel_would_and_the_original_does_not()
    {
        var s = Example();
        var script = CommandInterpreter.Read("""
            podvm: ip -n nimp31f392-vmpod link set dev vxlan0 down
            podvm: ip -n nimp31f392-vmpod link set dev vxlan0 address 0a:58:0a:84:02:2e
            podvm: ip -n nimp31f392-vmpod link set dev vxlan0 up
            podvm: ip -n nimp31f392-vmpod route replace default via 198.18.2.1 dev vxlan0
            podvm: ip -n nimp31f392-vmpod link add vx9 type vxlan id 7 remote 198.51.100.1 dstport 4789
            podvm: ip -n nimp31f392-vmpod neigh add 198.18.2.9 lladdr 0a:00:00:00:00:09 dev vxlan0 nud permanent
            worker: ip link set dev ens3 down
            """, "w.sh", s);
        var copy = ModelCopy.Apply(s, script).Result;
        var vm = Ns(copy, "podvm", "nimp31f392-vmpod");
        var vx = vm.FindLink("vxlan0")!;
        Assert.Equal("0a:58:0a:84:02:2e", vx.Mac.ToString());
        Assert.True(vx.IsUp);
        Assert.Contains(vm.Routes, r => r.Destination.IsDefault && r.Device == "vxlan0" && Equals(r.Gateway, IPAddress.Parse("198.18.2.1")));
        Assert.Equal((7u, 4789), (vm.FindLink("vx9")!.Vxlan!.Vni!.Value, vm.FindLink("vx9")!.Vxlan!.DstPort!.Value));
        Assert.False(vm.FindLink("vx9")!.IsUp);
        Assert.Contains(vm.Neighbors, n => n.Address.Equals(IPAddress.Parse("198.18.2.9")) && n.State.SequenceEqual(["PERMANENT"]));
        var wk = Ns(copy, "worker", null);
        Assert.False(wk.FindLink("ens3")!.IsUp);
        Assert.DoesNotContain(wk.Routes, r => r.Device == "ens3"); // a down link loses its routes
        Assert.NotEqual("0a:58:0a:84:02:2e", Ns(s, "podvm", "nimp31f392-vmpod").FindLink("vxlan0")!.Mac.ToString());
        Assert.True(Ns(s, "worker", null).FindLink("ens3")!.IsUp);
    }

    [Fact]
    public void Given_deletes_of_what_does_not_exist_when_applied_then_the_kernels_refusal_is_the_error()
    {
        var s = Example();
        foreach (var (cmd, why) in new[]
        {
            ("podvm: ip -n nimp31f392-vmpod route del 10.99.0.0/16", "no route 10.99.0.0/16"),
            ("podvm: ip -n nimp31f392-vmpod neigh del 10.99.0.1 dev vxlan0", "no neighbour entry 10.99.0.1 dev vxlan0"),
            ("podvm: ip -n nimp31f392-vmpod link add vxlan0 type vxlan id 1 dstport 4789", "a device named vxlan0 exists already"),
            ("podvm: ip -n nimp31f392-vmpod addr del 10.99.0.1/24 dev vxlan0", "vxlan0 has no address 10.99.0.1/24"),
        })
        {
            var e = Assert.Throws<InputException>(() => ModelCopy.Apply(s, CommandInterpreter.Read(cmd, "w.sh", s)));
            Assert.Contains(why, e.Message);
        }
    }
}
