namespace NetSleuth.Import;

/// <summary>
/// Which parser reads which command. Argv is normalised first (no sudo / netns prefix; iproute2
/// abbreviations expanded: "ip a" → "ip address show"), so entries match full words.
/// One line per command family; the first entry that matches wins.
/// </summary>
internal static class CommandTable
{
    public sealed record Entry(string Name, Func<IReadOnlyList<string>, bool> Matches, CommandParser Parse);

    public static IReadOnlyList<Entry> Entries { get; } =
    [
        new("iproute2 -j", IpJson.IpJsonCommands.Matches, IpJson.IpJsonCommands.Parse),
        new("nft -j list ruleset", Firewall.NftJson.Matches, Firewall.NftJson.Parse),
    ];

    public static Entry? Find(IReadOnlyList<string> argv) => Entries.FirstOrDefault(e => e.Matches(argv));
}
