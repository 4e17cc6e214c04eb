using System.Text.Json.Serialization;

namespace NetSleuth.Synth;

/// <summary>Where the generator put one fault: the catalogue row (docs/faults.md #), and the object.</summary>
/// <param name="Id">the row number in the fault catalogue</param>
/// <param name="Name">a short stable name of the variant ("blackhole-route")</param>
/// <param name="Namespace">the namespace Id as in the snapshot ("root", "podns", a pod's "cni-UUID")</param>
/// <param name="Device">the device the fault sits on, when it sits on one</param>
/// <param name="Entry">the table entry (route, neighbour, fdb, rule, sysctl, tc filter), when it is one</param>
public sealed record PlacedFault(int Id, string Name, string Host, string Namespace, string? Device, string? Entry, string Description);

/// <summary>The content of DIR/faults.json.</summary>
public sealed record FaultManifest(int Seed, string Style, int Nodes, int Pods, List<PlacedFault> Faults);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(FaultManifest))]
internal sealed partial class SynthJsonContext : JsonSerializerContext;
