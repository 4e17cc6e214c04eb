namespace NetSleuth.Import.Ovs;

/// <summary>
/// An ovs-vsctl / ovs-ofctl command line split into its command words and the options that change
/// the output ("-f json", "--names"); options that only change how the tool connects
/// ("-t 5", "--db=…", "-O OpenFlow13") are dropped.
/// </summary>
internal sealed record OvsCommand(string Tool, IReadOnlyList<string> Words, string? Format, bool? Names)
{
    // Options of ovs-vsctl and ovs-ofctl that take their value as the next word.
    private static readonly HashSet<string> TakesValue = new(StringComparer.Ordinal)
    {
        "-t", "--timeout", "-O", "--protocols", "-f", "--format", "--db", "-d", "--data",
        "--columns", "--id", "-F", "--flow-format", "-P", "--packet-in-format", "--table-format",
    };

    public string Word(int i) => i < Words.Count ? Words[i] : "";
    public bool IsJson => Format is "json";

    public static OvsCommand? Parse(IReadOnlyList<string> argv)
    {
        if (argv.Count == 0) return null;
        var tool = Path.GetFileName(argv[0]);
        if (tool is not ("ovs-vsctl" or "ovs-ofctl")) return null;
        var words = new List<string>();
        string? format = null;
        bool? names = null;
        for (int i = 1; i < argv.Count; i++)
        {
            var a = argv[i];
            if (a.Length < 2 || a[0] != '-') { words.Add(a); continue; }
            string opt = a, value = "";
            int eq = a.IndexOf('=');
            if (eq > 0) { opt = a[..eq]; value = a[(eq + 1)..]; }
            else if (TakesValue.Contains(a) && i + 1 < argv.Count) value = argv[++i];
            if (opt is "-f" or "--format") format = value.ToLowerInvariant();
            else if (opt == "--names") names = true;
            else if (opt == "--no-names") names = false;
        }
        return new OvsCommand(tool, words, format, names);
    }

    /// <summary>OVSDB table named by `list`/`find` (case-insensitive, as ovs-vsctl accepts), canonical lower case.</summary>
    public static string? Table(string word) => word.ToLowerInvariant() switch
    {
        "bridge" => "bridge",
        "port" => "port",
        "interface" => "interface",
        "open_vswitch" => "open_vswitch",
        _ => null,
    };
}
