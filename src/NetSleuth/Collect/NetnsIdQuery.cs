using System.Buffers.Binary;

namespace NetSleuth.Collect;

/// <summary>
/// Asks the kernel which netnsid the calling thread's namespace uses for another namespace:
/// RTM_GETNSID with NETNSA_FD (rtnl_net_getid → peernet2id, which never assigns an id, so the
/// machine is not changed). The socket belongs to the namespace the thread was in when it was made.
/// </summary>
internal sealed class NetnsIdQuery : IDisposable
{
    private const ushort RTM_NEWNSID = 88, RTM_GETNSID = 90;
    private const ushort NETNSA_NSID = 1, NETNSA_FD = 3;
    /// <summary>struct rtgenmsg, padded to 4 bytes.</summary>
    private const int GenHeader = 4;
    private readonly RtnlDump _rtnl;

    private NetnsIdQuery(RtnlDump rtnl) => _rtnl = rtnl;

    /// <summary>Opens a rtnetlink socket in the calling thread's namespace; null when that fails.</summary>
    public static NetnsIdQuery? Open() => RtnlDump.Open() is { } rtnl ? new NetnsIdQuery(rtnl) : null;

    /// <summary>The id this namespace gives the namespace open at <paramref name="nsFd"/>; -1 when none is
    /// assigned; null on error.</summary>
    public int? IdOf(int nsFd)
    {
        // rtgenmsg (family AF_UNSPEC) + padding, then the NETNSA_FD attribute
        Span<byte> body = stackalloc byte[GenHeader + 8];
        body.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(body[GenHeader..], 8);
        BinaryPrimitives.WriteUInt16LittleEndian(body[(GenHeader + 2)..], NETNSA_FD);
        BinaryPrimitives.WriteUInt32LittleEndian(body[(GenHeader + 4)..], (uint)nsFd);
        if (_rtnl.Get(RTM_GETNSID, body, RTM_NEWNSID) is not { } reply) return null;
        return RtnlDump.Attributes(reply, GenHeader).TryGetValue(NETNSA_NSID, out var v) && v.Length >= 4
            ? BinaryPrimitives.ReadInt32LittleEndian(v)
            : null;
    }

    public void Dispose() => _rtnl.Dispose();
}
