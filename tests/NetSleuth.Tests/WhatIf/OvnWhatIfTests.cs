using NetSleuth.Import;
using NetSleuth.Model;
using NetSleuth.WhatIf;

namespace NetSleuth.Tests.WhatIf;

/// <summary>The what-if interpreter on ovn-nbctl, over the snapshots collected from the peer-pods-ovn lab with the
/// port-security fault (Fixtures/ovn/lab-port-security: the worker's snapshot holds the northbound rows).</summary>
public sealed class OvnWhatIfTests
{
    private static Snapshot Load() =>
        InputLoader.Load([.. new[] { "worker", "node2", "podvm" }.Select(h => $"{h}={Path.Combine(AppContext.BaseDirectory, "Fixtures", "ovn", "lab-port-security", h + ".json")}")]);

    private static OvnLogicalSwitchPort Lsp(Snapshot s, string name) =>
        s.Hosts.SelectMany(h => h.Namespaces).Where(n => n.Ovn is not null).SelectMany(n => n.Ovn!.Ports).Single(p => p.Name == name);

    [Fact]
    public void Given_lsp_set_commands_chained_with_dashes_when_applied_then_the_copy_has_the_new_columns_and_the_original_not()
    {
        var s = Load();
        var script = CommandInterpreter.Read("""
            worker: ovn-nbctl --db=unix:/run/ovn/ovnnb_db.sock --timeout 5 lsp-set-port-security default_peerpod '7e:e5:f7:e6:f5:1a 198.18.2.46' -- lsp-set-addresses default_web '0a:58:c6:12:04:0a 198.18.4.10' router
            worker: ovn-nbctl show
            """, "fix.sh", s);

        Assert.True(script.FullyModelled, string.Join("\n", script.NotModelled));
        var edits = script.Commands[0].Edits;
        Assert.Equal(2, edits.Count);
        Assert.Empty(script.Commands[1].Edits);
        var copy = ModelCopy.Apply(s, script).Result;
        Assert.Equal(["7e:e5:f7:e6:f5:1a 198.18.2.46"], Lsp(copy, "default_peerpod").PortSecurity);
        Assert.Equal(["0a:58:c6:12:04:0a 198.18.4.10", "router"], Lsp(copy, "default_web").Addresses);
        Assert.Equal(["0a:58:0a:84:02:2e 198.18.2.46"], Lsp(s, "default_peerpod").PortSecurity);
    }

    [Fact]
    public void Given_a_port_the_input_does_not_hold_or_a_bad_address_when_applied_then_the_error_names_the_line()
    {
        var s = Load();
        var e = Assert.Throws<InputException>(() => ModelCopy.Apply(s, CommandInterpreter.Read("worker: ovn-nbctl lsp-set-addresses nosuch '0a:58:00:00:00:01 10.0.0.1'", "w.sh", s)));
        Assert.Contains("w.sh:1", e.Message);
        Assert.Contains("nosuch: port name not found", e.Message);
        e = Assert.Throws<InputException>(() => ModelCopy.Apply(s, CommandInterpreter.Read("worker: ovn-nbctl lsp-set-port-security default_peerpod 'bogus 10.0.0.1'", "w.sh", s)));
        Assert.Contains("invalid syntax 'bogus 10.0.0.1'", e.Message);
    }

    [Fact]
    public void Given_an_ovn_nbctl_command_that_changes_something_else_when_read_then_it_is_not_modelled_and_says_why()
    {
        var s = Load();
        var script = CommandInterpreter.Read("worker: ovn-nbctl lsp-del default_peerpod", "w.sh", s);
        Assert.Contains("`ovn-nbctl lsp-del` is not modelled", Assert.Single(script.NotModelled).NotModelled);
    }
}
