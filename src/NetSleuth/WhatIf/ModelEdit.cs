using NetSleuth.Model;

namespace NetSleuth.WhatIf;

/// <summary>
/// One change to the model that a shell command makes (`ip link set … address …`, `ip route replace …`,
/// `sysctl -w …`, `iptables -D …`). Made by <see cref="CommandInterpreter"/> from the command's words;
/// applied by <see cref="ModelCopy"/> to a copy of the snapshot, inside the namespace the command addresses.
/// </summary>
public abstract class ModelEdit
{
    /// <summary>What the edit does, in a few words ("set vxlan0's MAC to 0a:58:…").</summary>
    public abstract string Describe();

    /// <summary>Changes the namespace of <paramref name="scope"/>; a device or entry the command needs and the
    /// model does not hold is <see cref="EditScope.Fail"/>, as the kernel would refuse the command.</summary>
    internal abstract void Apply(EditScope scope);

    public override string ToString() => Describe();
}

/// <summary>Where an edit applies: the copied host and namespace, and the command it came from (for errors).</summary>
internal sealed class EditScope(Host host, NetNamespace ns, WhatIfCommand command, ModelCopy? copy = null)
{
    public Host Host { get; } = host;
    /// <summary>The copy being edited: another host's copy, for an edit whose effect crosses hosts (a lab "host" is a
    /// group of namespaces of one machine, so a veth may join two of them).</summary>
    public ModelCopy? Copy { get; } = copy;
    public NetNamespace Ns { get; } = ns;
    public WhatIfCommand Command { get; } = command;

    /// <summary>Stops the script: the command cannot run against the model.</summary>
    public InvalidOperationException Fail(string message) => new EditFailure(message);

    public Link Device(string name) =>
        Ns.FindLink(name) ?? throw Fail($"unknown device '{name}' in {Where}");

    public string Where => $"namespace {Ns.DisplayName} of host {Host.Name}";

    /// <summary>A namespace of the same host, by name, id or (nsenter-style) process id.</summary>
    public NetNamespace? Namespace(string nameOrPid) =>
        Host.Namespaces.FirstOrDefault(n => n.Name == nameOrPid) ?? Host.FindNamespace(nameOrPid) ??
        (int.TryParse(nameOrPid, out var pid) ? Host.Namespaces.FirstOrDefault(n => n.Processes.Any(p => p.Pid == pid)) : null);
}

/// <summary>An edit the model refuses (unknown device, no such route): reported with the command's file and line.</summary>
internal sealed class EditFailure(string message) : InvalidOperationException(message);
