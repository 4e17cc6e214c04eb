using NetSleuth.Model;

namespace NetSleuth.WhatIf;

/// <summary>ovn-nbctl commands into edits of the logical switch ports the input holds.</summary>
internal static class OvnCommands
{
    private static readonly HashSet<string> TakesValue = new(StringComparer.Ordinal) { "--db", "-t", "--timeout", "-f", "--format", "--columns", "-d", "--data" };
    private static readonly HashSet<string> ReadOnly = new(StringComparer.Ordinal)
    {
        "show", "list", "find", "get", "ls-list", "lsp-list", "lsp-get-addresses", "lsp-get-port-security", "lsp-get-type", "lsp-get-up",
        "lr-list", "lrp-list", "lsp-get-options", "sync",
    };

    /// <summary>`ovn-nbctl [OPTIONS] COMMAND ARGS [-- COMMAND ARGS]…`: one edit per command that changes a port's addresses or port security.</summary>
    public static List<ModelEdit> Read(IReadOnlyList<string> argv)
    {
        int i = 1;
        for (; i < argv.Count && argv[i].StartsWith('-') && argv[i] != "--"; i++)
            if (!argv[i].Contains('=') && TakesValue.Contains(argv[i])) i++;
        var edits = new List<ModelEdit>();
        var command = new List<string>();
        for (; i <= argv.Count; i++)
        {
            if (i < argv.Count && argv[i] != "--") { command.Add(argv[i]); continue; }
            if (command.Count > 0) edits.AddRange(One(command));
            command.Clear();
        }
        if (edits.Count == 0 && argv.Skip(1).All(a => a.StartsWith('-'))) throw new SyntaxError("ovn-nbctl needs a command");
        return edits;
    }

    private static IEnumerable<ModelEdit> One(List<string> w)
    {
        // per-command options (--may-exist, --if-exists) come first
        int k = 0;
        while (k < w.Count && w[k].StartsWith("--", StringComparison.Ordinal)) k++;
        if (k >= w.Count) yield break;
        var verb = w[k];
        var args = w.Skip(k + 1).ToList();
        switch (verb)
        {
            case "lsp-set-addresses" or "lsp-set-port-security":
                if (args.Count == 0) throw new SyntaxError($"ovn-nbctl {verb} needs a port");
                yield return new OvnLspEdit { PortSecurity = verb == "lsp-set-port-security", Port = args[0], Entries = args.Skip(1).ToList() };
                break;
            default:
                if (ReadOnly.Contains(verb)) yield break;
                throw new NotModelledException($"`ovn-nbctl {verb}` is not modelled (only lsp-set-addresses, lsp-set-port-security)");
        }
    }
}

/// <summary>`ovn-nbctl lsp-set-addresses PORT [ADDRESS]…`, `ovn-nbctl lsp-set-port-security PORT [ADDRS]…`: replaces the column of the
/// logical switch port PORT wherever the host holds the northbound rows (no entries: cleared, as ovn-nbctl does).</summary>
public sealed class OvnLspEdit : ModelEdit
{
    public required bool PortSecurity { get; init; }
    public required string Port { get; init; }
    public required List<string> Entries { get; init; }

    public override string Describe() =>
        $"set the {(PortSecurity ? "port security" : "addresses")} of OVN logical switch port {Port} to [{string.Join(", ", Entries)}]";

    internal override void Apply(EditScope s)
    {
        foreach (var e in Entries)
            if (e.Split(' ', StringSplitOptions.RemoveEmptyEntries) is not { Length: > 0 } words ||
                !(MacAddress.TryParse(words[0], out _) || !PortSecurity && words[0] is "router" or "unknown" or "dynamic"))
                throw s.Fail($"ovn-nbctl: {Port}: invalid syntax '{e}' in {(PortSecurity ? "port security" : "address")}");
        var ports = s.Host.Namespaces.Where(n => n.Ovn is not null).SelectMany(n => n.Ovn!.Ports).Where(p => p.Name == Port).ToList();
        if (ports.Count == 0) throw s.Fail($"ovn-nbctl: {Port}: port name not found (the input holds no logical switch port of that name on host {s.Host.Name})");
        foreach (var p in ports)
        {
            if (PortSecurity) { p.PortSecurity = [.. Entries]; p.PortSecurityKnown = true; }
            else p.Addresses = [.. Entries];
        }
    }
}
