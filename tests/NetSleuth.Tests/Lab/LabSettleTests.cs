using NetSleuth.Lab;
using Xunit;

namespace NetSleuth.Tests.Lab;

/// <summary>
/// `lab up` returns once linkwatch has caught up (<see cref="LabBuilder"/>.Settle): a device with carrier
/// (LOWER_UP) whose operational state is not up yet is printed NO-CARRIER by iproute2 (print_link_flags: IFF_UP
/// without IFF_RUNNING). The settled line was captured with iproute2 6.1.0 on kernel 6.18 (a veth pair brought up in
/// a namespace); the pending one is the same device as the SSH collect lab test read it under load
/// (flags BROADCAST,LOWER_UP,MULTICAST,NO-CARRIER,UP, operstate DOWN), in iproute2's order.
/// </summary>
public sealed class LabSettleTests
{
    private const string Settled =
        "3: a1@b1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether de:69:1f:e8:0d:97 brd ff:ff:ff:ff:ff:ff\n" +
        "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n";

    [Fact]
    public void Given_every_link_with_carrier_up_When_checked_Then_nothing_is_pending() =>
        Assert.False(LabBuilder.LinkWatchPending(Settled));

    [Fact]
    public void Given_a_link_with_carrier_whose_operstate_is_still_down_When_checked_Then_it_is_pending() =>
        Assert.True(LabBuilder.LinkWatchPending(Settled +
            "2: ens2@if3: <NO-CARRIER,BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default qlen 1000\\    link/ether 7e:e5:f7:e6:f5:1b brd ff:ff:ff:ff:ff:ff link-netns w\n"));

    [Fact]
    public void Given_a_link_whose_peer_is_down_When_checked_Then_it_is_settled_not_pending() =>
        // no carrier at all (no LOWER_UP): a real state (the link-down fault), nothing to wait for
        Assert.False(LabBuilder.LinkWatchPending(
            "2: eth0@if3: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1400 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000\\    link/ether 0a:58:0a:84:02:2e brd ff:ff:ff:ff:ff:ff link-netnsid 0\n"));
}
