namespace NetSleuth.Collect.Netlink;

/// <summary>
/// Asks nf_tables over NETLINK_NETFILTER whether the calling thread's namespace has any table
/// (NFT_MSG_GETTABLE dump of every family), so `nft -j list ruleset` runs only where there is a ruleset.
/// Read-only: a dump changes nothing.
/// </summary>
internal static class NftProbe
{
    private const ushort NFNL_SUBSYS_NFTABLES = 10, NFT_MSG_GETTABLE = 1;

    /// <summary>The number of tables; null when the kernel cannot be asked (no nf_tables, no socket).</summary>
    public static int? CountTables()
    {
        using var nfnl = RtnlDump.Open(Native.NETLINK_NETFILTER);
        // struct nfgenmsg { u8 nfgen_family (NFPROTO_UNSPEC = all); u8 version (NFNETLINK_V0); be16 res_id }
        Span<byte> header = stackalloc byte[4];
        header.Clear();
        return nfnl?.Dump((ushort)((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE), header)?.Count;
    }
}
