using NetSleuth.Lab;

namespace NetSleuth.Tests.Lab;

public sealed class SnmpCountersTests
{
    private static string[] Fixture(string name) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "proc-net-snmp", name));

    [Fact]
    public void Reads_icmp_echo_counters_of_a_namespace_that_answered_two_pings()
    {
        var lines = Fixture("vmpod-snmp.txt");
        Assert.Equal(2, SnmpCounters.Find(lines, "Icmp", "InEchos"));
        Assert.Equal(2, SnmpCounters.Find(lines, "Icmp", "OutEchoReps"));
        Assert.Equal(0, SnmpCounters.Find(lines, "Ip", "OutNoRoutes"));
    }

    [Fact]
    public void Reads_netstat_extension_counters_and_says_null_for_unknown_names()
    {
        var lines = Fixture("vmpod-netstat.txt");
        Assert.Equal(0, SnmpCounters.Find(lines, "TcpExt", "IPReversePathFilter"));
        Assert.Null(SnmpCounters.Find(lines, "TcpExt", "NoSuchCounter"));
        Assert.Null(SnmpCounters.Find(lines, "NoSuchGroup", "InEchos"));
    }
}
