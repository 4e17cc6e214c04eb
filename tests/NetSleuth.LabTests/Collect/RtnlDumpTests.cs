using NetSleuth.Collect;
using NetSleuth.Import;
using NetSleuth.Import.IpJson;
using NetSleuth.Model;
using NetSleuth.Util;

namespace NetSleuth.LabTests.Collect;

/// <summary>The in-process rtnetlink dumps give the same rules and FDB as the iproute2 tools' JSON.</summary>
public sealed class RtnlDumpTests : IClassFixture<CollectLab>
{
    private readonly CollectLab _lab;
    public RtnlDumpTests(CollectLab lab) => _lab = lab;

    [Fact]
    public void Given_the_worker_namespace_When_rules6_and_fdb_are_dumped_Then_they_equal_ip_and_bridge_json()
    {
        var byTool = new NetNamespace { Id = _lab.Wk };
        var log = new ImportLog();
        Parse(byTool, log, "ip", "-d", "-j", "address", "show");
        Parse(byTool, log, "ip", "-6", "-j", "rule", "show");
        Parse(byTool, log, "bridge", "-j", "fdb", "show");
        Assert.Empty(log.Warnings);

        List<Rule> rules = [];
        List<FdbEntry> fdb = [];
        var t = new Thread(() =>
        {
            using var f = File.OpenHandle($"/run/netns/{_lab.Wk}");
            Assert.Equal(0, Native.setns((int)f.DangerousGetHandle(), Native.CLONE_NEWNET));
            using var rtnl = RtnlDump.Open()!;
            rules = rtnl.Dump(RtnlObjects.RTM_GETRULE, RtnlObjects.AF_INET6, RtnlObjects.RuleHeader)!
                .Select(m => RtnlObjects.Rule(m, new SourceRef("x"))).ToList();
            fdb = rtnl.Dump(RtnlObjects.RTM_GETNEIGH, RtnlObjects.AF_BRIDGE, RtnlObjects.NeighHeader)!
                .Select(m => RtnlObjects.Fdb(m, i => byTool.FindLink(i)?.Name ?? "if" + i, new SourceRef("x"))).OfType<FdbEntry>().ToList();
        });
        t.Start();
        t.Join();

        Assert.Contains(rules, r => r.Priority == 1001 && r.Table == 100);
        Assert.Equal(byTool.Rules.Select(RuleKey), rules.Select(RuleKey));
        Assert.Contains(fdb, f => f.Master == "br-int");
        Assert.Equal(byTool.Fdb.Select(FdbKey), fdb.Select(FdbKey));
    }

    private static string RuleKey(Rule r) =>
        $"{r.Priority} {r.Family} {r.Not} {r.From} {r.To} {r.Iif} {r.Oif} {r.Fwmark} {r.FwmarkMask} {r.Table} {r.Action} {r.GotoTarget} {r.SuppressPrefixLength}";

    private static string FdbKey(FdbEntry f) =>
        $"{f.Mac} {f.Device} {f.Master} {f.Vlan} {f.Dst} {f.Vni} {f.Port} {string.Join(',', f.Flags)}";

    private void Parse(NetNamespace ns, ImportLog log, params string[] argv)
    {
        var r = Proc.Run("ip", ["netns", "exec", _lab.Wk, .. argv]);
        Assert.True(r.Ok, r.Stderr);
        IpJsonCommands.Parse(argv, r.Stdout, ns, new SourceRef(string.Join(' ', argv)), log);
    }
}
