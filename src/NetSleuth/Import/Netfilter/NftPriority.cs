namespace NetSleuth.Import.Netfilter;

/// <summary>nft's named chain priorities (nft(8) "PRIORITY"), e.g. "filter", "dstnat - 5", "-500".</summary>
internal static class NftPriority
{
    public static int? Parse(string text, string family)
    {
        text = text.Trim();
        if (int.TryParse(text, out var n)) return n;
        int offset = 0;
        int op = text.IndexOfAny(['+', '-'], 1);
        if (op > 0)
        {
            if (!int.TryParse(text[(op + 1)..].Trim(), out offset)) return null;
            if (text[op] == '-') offset = -offset;
            text = text[..op].Trim();
        }
        int? basePrio = family == "bridge"
            ? text switch { "dstnat" => -300, "filter" => -200, "out" => 100, "srcnat" => 300, _ => null }
            : text switch { "raw" => -300, "mangle" => -150, "dstnat" => -100, "filter" => 0, "security" => 50, "srcnat" => 100, _ => null };
        return basePrio + offset;
    }
}
