using System.Net;
using NetSleuth.Model;

namespace NetSleuth.Tests.Model;

public sealed class ValueTypeTests
{
    [Theory]
    [InlineData("0a:58:0a:84:02:2e", "0a:58:0a:84:02:2e")]
    [InlineData("7E-E5-F7-E6-F5-1A", "7e:e5:f7:e6:f5:1a")]
    [InlineData("0:a:58:a:84:2:2e", "00:0a:58:0a:84:02:2e")]
    public void Mac_parses_common_spellings_and_prints_canonically(string text, string expected)
    {
        if (expected.Length != 17) { Assert.False(MacAddress.TryParse(text, out _)); return; }
        Assert.Equal(expected, MacAddress.Parse(text).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("0a:58:0a:84:02")]
    [InlineData("0a:58:0a:84:02:2e:11")]
    [InlineData("zz:58:0a:84:02:2e")]
    [InlineData("0a:58:0a:84:02:")]
    public void Mac_rejects_malformed_text(string text) => Assert.False(MacAddress.TryParse(text, out _));

    [Fact]
    public void Mac_group_bit_marks_multicast_and_broadcast()
    {
        Assert.True(MacAddress.Parse("01:00:5e:00:00:01").IsMulticast);
        Assert.True(MacAddress.Broadcast.IsMulticast);
        Assert.False(MacAddress.Parse("0a:58:0a:84:02:2e").IsMulticast);
    }

    [Fact]
    public void Prefix_contains_addresses_of_its_network_only()
    {
        var p = IpPrefix.Parse("198.18.2.46/23");
        Assert.True(p.Contains(IPAddress.Parse("198.18.3.255")));
        Assert.False(p.Contains(IPAddress.Parse("198.18.4.0")));
        Assert.False(p.Contains(IPAddress.Parse("::1")));
        Assert.Equal("198.18.2.0/23", p.Network.ToString());
        Assert.Equal("198.18.2.46/23", p.ToString());
    }

    [Theory]
    [InlineData("default", "0.0.0.0/0")]
    [InlineData("10.1.2.3", "10.1.2.3/32")]
    [InlineData("fe80::1%eth0/64", "fe80::1/64")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    public void Prefix_parses_route_destinations(string text, string expected) =>
        Assert.Equal(expected, IpPrefix.Parse(text).ToString());

    [Theory]
    [InlineData("10.1.2/24")]
    [InlineData("10.1.2.3/33")]
    [InlineData("nonsense")]
    public void Prefix_rejects_malformed_text(string text) => Assert.False(IpPrefix.TryParse(text, out _));

    [Fact]
    public void Snapshot_round_trips_through_json()
    {
        var ns = new NetNamespace { Id = "wkpod", Name = "wkpod" };
        ns.Known.Add(Sections.Links);
        ns.Links.Add(new Link
        {
            Index = 2, Name = "eth0", Kind = "veth", Mac = MacAddress.Parse("0a:58:0a:84:02:2e"), Mtu = 1500,
            Flags = ["BROADCAST", "UP", "LOWER_UP"], LinkIndex = 4256, LinkNetnsId = 0, LinkNamespace = "root",
            Addresses = [new IfAddress { Prefix = IpPrefix.Parse("198.18.2.46/23"), Scope = "global" }],
        });
        ns.Neighbors.Add(new Neighbor { Address = IPAddress.Parse("198.18.2.1"), Device = "eth0", State = ["PERMANENT"] });
        var snap = new Snapshot { Hosts = [new Host { Name = "worker", Namespaces = [ns] }] };

        var json = SnapshotJson.Serialize(snap);
        var back = SnapshotJson.Deserialize(json, "x.json");

        Assert.Equal(json, SnapshotJson.Serialize(back));
        Assert.Contains("\"mac\": \"0a:58:0a:84:02:2e\"", json);
        Assert.Contains("\"prefix\": \"198.18.2.46/23\"", json);
    }

    [Fact]
    public void Malformed_snapshot_names_file_and_line()
    {
        var e = Assert.Throws<InputException>(() =>
            SnapshotJson.Deserialize("{\n \"formatVersion\": 1,\n \"hosts\": [ { \"name\": 5 } ]\n}", "bad.json"));
        Assert.Equal("bad.json", e.File);
        Assert.Equal(3, e.Line);
    }
}
