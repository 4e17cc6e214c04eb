using NetSleuth.Model.Collections;
namespace NetSleuth.Model;

/// <summary>
/// OVN's logical view as far as the input shows it (`ovn-nbctl list Logical_Switch_Port`, `ovn-nbctl
/// show`), held by the namespace whose input carried it. The northbound database is the cluster's,
/// not the namespace's: the tracer joins a logical switch port to the OVS interface whose
/// external_ids:iface-id names it, wherever that interface is.
/// </summary>
public sealed class OvnState
{
    public List<OvnLogicalSwitchPort> Ports { get; set; } = [];
    /// <summary>The southbound database's chassis with their tunnel endpoints and port bindings (`ovn-sbctl show`).</summary>
    public List<OvnChassis> Chassis { get; set; } = [];
    /// <summary>`ovn-trace` outputs in the input: OVN's logical pipeline for one packet.</summary>
    public List<RecordedTrace> Traces { get; set; } = [];
    /// <summary>The northbound database the ports were read from, when the command named one (`--db=unix:…`): fixes address it too.</summary>
    public string? NbDb { get; set; }
    /// <summary>The southbound database the chassis were read from, likewise.</summary>
    public string? SbDb { get; set; }
    public SourceRef? Source { get; set; }
}

/// <summary>A row of the southbound Chassis table as `ovn-sbctl show` prints it: one node running ovn-controller.</summary>
public sealed class OvnChassis
{
    /// <summary>The chassis name (the node's external_ids:system-id).</summary>
    public required string Name { get; set; }
    public string? Hostname { get; set; }
    public List<OvnEncap> Encaps { get; set; } = [];
    /// <summary>The logical ports bound on this chassis (Port_Binding rows whose chassis is this one).</summary>
    public List<string> PortBindings { get; set; } = [];
    public SourceRef? Source { get; set; }
}

/// <summary>A tunnel endpoint of a chassis: the other chassis reach its ports through a tunnel of this type to this IP.</summary>
public sealed class OvnEncap
{
    /// <summary>geneve, vxlan or stt.</summary>
    public required string Type { get; set; }
    public string? Ip { get; set; }
    public StringMap Options { get; set; } = new();
    public SourceRef? Source { get; set; }
}

/// <summary>A row of the northbound Logical_Switch_Port table.</summary>
public sealed class OvnLogicalSwitchPort
{
    public required string Name { get; set; }
    /// <summary>The logical switch holding it, when the input says (`ovn-nbctl show`).</summary>
    public string? Switch { get; set; }
    /// <summary>"" for a VIF, "router", "localnet", "patch", …</summary>
    public string? Type { get; set; }
    /// <summary>Each entry as OVN keeps it: "MAC IP…", "router", "unknown", "dynamic".</summary>
    public List<string> Addresses { get; set; } = [];
    /// <summary>Each entry "MAC [IP…]"; empty means no port security.</summary>
    public List<string> PortSecurity { get; set; } = [];
    /// <summary>False when the input does not show the port_security column (`ovn-nbctl show` leaves it out).</summary>
    public bool PortSecurityKnown { get; set; }
    public bool? Up { get; set; }
    public SourceRef? Source { get; set; }

    /// <summary>The MACs of <see cref="Addresses"/> (the ARP responder answers with these).</summary>
    public IEnumerable<MacAddress> AddressMacs() => Macs(Addresses);

    /// <summary>The MACs port security lets in and out.</summary>
    public IEnumerable<MacAddress> PortSecurityMacs() => Macs(PortSecurity);

    /// <summary>True when the addresses contain "unknown": frames to unknown MACs are sent to this port.</summary>
    public bool HasUnknown() => Addresses.Any(a => a.Trim() == "unknown");

    /// <summary>The MAC of the address entry that holds IP, or null.</summary>
    public MacAddress? MacFor(System.Net.IPAddress ip)
    {
        foreach (var entry in Addresses)
        {
            var words = entry.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2 || !MacAddress.TryParse(words[0], out var mac)) continue;
            for (int i = 1; i < words.Length; i++)
            {
                var w = words[i];
                int slash = w.IndexOf('/');
                if (System.Net.IPAddress.TryParse(slash < 0 ? w : w[..slash], out var a) && a.Equals(ip)) return mac;
            }
        }
        return null;
    }

    private static IEnumerable<MacAddress> Macs(List<string> entries)
    {
        foreach (var entry in entries)
        {
            var first = entry.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            if (MacAddress.TryParse(first, out var mac)) yield return mac;
        }
    }
}
