using System.Text.Json;
using NetSleuth.Model;

namespace NetSleuth.Import.IpJson;

/// <summary>
/// Dispatches the JSON output of one iproute2 command (`ip -j …`, `tc -j …`, `bridge -j …`) to its
/// parser and marks the sections it fully covers as known. Used by the importer (saved outputs)
/// and by the live collector (one call per command of a batch).
/// </summary>
internal static class IpJsonCommands
{
    public enum What { None, Link, Address, Route, Rule, Neigh, Fdb, Qdisc, Filter, NetnsListId }

    public static What Classify(IReadOnlyList<string> argv)
    {
        if (argv.Count == 0 || !IpArgv.IsJson(argv)) return What.None;
        var tool = Path.GetFileName(argv[0]);
        if (tool == "ip")
        {
            if (IpArgv.IsObject(argv, "ip", "address") && !IpArgv.IsObject(argv, "ip", "addrlabel", 5)) return What.Address;
            if (IpArgv.IsObject(argv, "ip", "link")) return What.Link;
            if (IpArgv.IsObject(argv, "ip", "route")) return What.Route;
            if (IpArgv.IsObject(argv, "ip", "rule", 2)) return What.Rule;
            if (IpArgv.IsObject(argv, "ip", "neighbour") || IpArgv.IsObject(argv, "ip", "neighbor"))
                return IpArgv.FamilyName(argv) == "bridge" ? What.Fdb : What.Neigh;
            if (IpArgv.IsObject(argv, "ip", "netns", 4) && IpArgv.Rest(argv) is [_, "list-id", ..]) return What.NetnsListId;
        }
        if (tool == "tc" && IpArgv.IsObject(argv, "tc", "qdisc")) return What.Qdisc;
        if (tool == "tc" && IpArgv.IsObject(argv, "tc", "filter") && IpArgv.Arg(argv, "dev") is not null) return What.Filter;
        if (tool == "bridge" && IpArgv.IsObject(argv, "bridge", "fdb")) return What.Fdb;
        return What.None;
    }

    public static bool Matches(IReadOnlyList<string> argv) => Classify(argv) != What.None;

    /// <summary>The importer's entry point (see CommandTable).</summary>
    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log) =>
        Parse(output.Argv, string.Join('\n', output.Lines), ns, output.At(0), log, output.Partial);

    /// <summary>Parses one command's whole output. Returns false (with a warning) when it is not JSON.</summary>
    public static bool Parse(IReadOnlyList<string> argv, string text, NetNamespace ns, SourceRef src, ImportLog log, bool partial = false)
    {
        var what = Classify(argv);
        var values = JsonValues.Split(text, out var error);
        if (values is null)
        {
            log.Warn(src, $"{string.Join(' ', argv)}: {error}", ns.Id);
            return false;
        }
        if (values.Count == 0) values.Add(JsonDocument.Parse("[]").RootElement.Clone());
        foreach (var v in values) ParseValue(what, argv, v, ns, src, log);
        if (!partial) MarkKnown(what, argv, ns);
        return true;
    }

    private static void ParseValue(What what, IReadOnlyList<string> argv, JsonElement v, NetNamespace ns, SourceRef src, ImportLog log)
    {
        int family = IpArgv.Family(argv);
        switch (what)
        {
            case What.Link: IpLinkJson.Read(v, ns, IpArgv.IsDetails(argv), false, src, log); break;
            case What.Address: IpLinkJson.Read(v, ns, IpArgv.IsDetails(argv), true, src, log); break;
            case What.Route: IpRouteJson.Read(v, ns, family, src, log); break;
            case What.Rule: IpRuleJson.Read(v, ns, family, src, log); break;
            case What.Neigh: IpNeighJson.Read(v, ns, src, log); break;
            case What.Fdb: BridgeFdbJson.Read(v, ns, src, log); break;
            case What.Qdisc: TcJson.ReadQdiscs(v, ns, src, log); break;
            case What.NetnsListId: NetnsListIdJson.Read(v, ns, src, log); break;
            case What.Filter:
                var rest = IpArgv.Rest(argv);
                string direction = rest.Contains("ingress") || IpArgv.Arg(argv, "parent") is "ffff:" or "ffff:fff1" or "ffff:fff2" ? "ingress" : "egress";
                TcJson.ReadFilters(v, ns, IpArgv.Arg(argv, "dev")!, direction, src, log);
                break;
        }
    }

    /// <summary>Marks the sections a whole (unfiltered) listing covers.</summary>
    private static void MarkKnown(What what, IReadOnlyList<string> argv, NetNamespace ns)
    {
        var rest = IpArgv.Rest(argv).Skip(1).Where(w => w is not ("show" or "list" or "lst")).ToList();
        bool tableAll = IpArgv.Arg(argv, "table") == "all";
        if (tableAll) rest.RemoveAll(w => w is "table" or "all");
        rest.RemoveAll(w => w is "nud" or "all");
        bool whole = rest.Count == 0;
        int family = IpArgv.Family(argv);
        switch (what)
        {
            case What.Link when whole:
                ns.Known.Add(Sections.Links);
                if (IpArgv.IsDetails(argv)) ns.Known.Add(Sections.LinkDetails);
                break;
            case What.Address when whole && family == 0:
                ns.Known.Add(Sections.Links);
                ns.Known.Add(Sections.Addresses);
                if (IpArgv.IsDetails(argv)) ns.Known.Add(Sections.LinkDetails);
                break;
            case What.Route when whole:
                // an unspecified family lists IPv4 only, except with "table all", which dumps both
                if (family is 0 or 4) ns.Known.Add(Sections.Routes4);
                if (family == 6 || (family == 0 && tableAll)) ns.Known.Add(Sections.Routes6);
                if (tableAll) ns.Known.Add(Sections.AllTables);
                break;
            case What.Rule when whole:
                ns.Known.Add(family == 6 ? Sections.Rules6 : Sections.Rules4);
                break;
            case What.Neigh when whole: ns.Known.Add(Sections.Neighbors); break;
            case What.Fdb when whole: ns.Known.Add(Sections.Fdb); break;
            case What.NetnsListId: ns.Known.Add(Sections.NetnsIds); break;
        }
    }
}
