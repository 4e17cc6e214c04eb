using System.Runtime.CompilerServices;
using NetSleuth.Model;

namespace NetSleuth.Topology;

/// <summary>
/// Equality of the linker's device keys (host, namespace, ifindex or name): the host and namespace by
/// reference, as the tuple's default comparer does, but hashed by the namespace object's identity
/// without the tuple's generic dispatch (a namespace object belongs to one host).
/// </summary>
internal sealed class DeviceKeyComparer : IEqualityComparer<(Host, NetNamespace, int)>, IEqualityComparer<(Host, NetNamespace, string)>
{
    public static readonly DeviceKeyComparer Instance = new();

    public bool Equals((Host, NetNamespace, int) x, (Host, NetNamespace, int) y) =>
        x.Item3 == y.Item3 && ReferenceEquals(x.Item2, y.Item2) && ReferenceEquals(x.Item1, y.Item1);

    public int GetHashCode((Host, NetNamespace, int) k) => RuntimeHelpers.GetHashCode(k.Item2) * 31 + k.Item3;

    public bool Equals((Host, NetNamespace, string) x, (Host, NetNamespace, string) y) =>
        ReferenceEquals(x.Item2, y.Item2) && ReferenceEquals(x.Item1, y.Item1) && string.Equals(x.Item3, y.Item3, StringComparison.Ordinal);

    public int GetHashCode((Host, NetNamespace, string) k) =>
        RuntimeHelpers.GetHashCode(k.Item2) * 31 + (k.Item3 is null ? 0 : k.Item3.GetHashCode(StringComparison.Ordinal));
}
