using System.Text.Json.Nodes;

namespace NetSleuth.Collect.Remote;

/// <summary>
/// The collector pod for one node: the shape of <c>kubectl debug node/NAME --profile=sysadmin</c> —
/// pinned to the node (nodeName, every taint tolerated), hostNetwork and hostPID (so /proc/1/ns/net is the
/// node's root namespace and every pod's namespace is reachable through /proc), privileged, the node's
/// /run/netns and /run/openvswitch mounted in. Its process only sleeps: the collector runs through
/// <c>kubectl exec</c>, which keeps the snapshot (stdout) apart from the warnings (stderr). It is labelled
/// with the run so every pod of a run can be deleted at once, and ends by itself after
/// <see cref="LifetimeSeconds"/> even if nobody deletes it.
/// </summary>
public static class KubeManifest
{
    public const string AppLabel = "app.kubernetes.io/name";
    public const string AppName = "netsleuth-collect";
    public const string RunLabel = "netsleuth.io/run";
    public const int LifetimeSeconds = 600;
    /// <summary>Where the Containerfile puts the binary.</summary>
    public const string BinaryPath = "/usr/local/bin/netsleuth";

    public static string Pod(string node, string image, string kubeNamespace, string runId)
    {
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["generateName"] = AppName + "-",
                ["namespace"] = kubeNamespace,
                ["labels"] = new JsonObject { [AppLabel] = AppName, [RunLabel] = runId },
                ["annotations"] = new JsonObject { ["netsleuth.io/node"] = node },
            },
            ["spec"] = new JsonObject
            {
                ["nodeName"] = node,
                ["hostNetwork"] = true,
                ["hostPID"] = true,
                ["restartPolicy"] = "Never",
                ["activeDeadlineSeconds"] = LifetimeSeconds,
                ["terminationGracePeriodSeconds"] = 0,
                ["automountServiceAccountToken"] = false,
                ["enableServiceLinks"] = false,
                ["tolerations"] = new JsonArray(new JsonObject { ["operator"] = "Exists" }),
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["name"] = "collect",
                    ["image"] = image,
                    ["command"] = new JsonArray("sleep", LifetimeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ["securityContext"] = new JsonObject { ["privileged"] = true },
                    ["volumeMounts"] = new JsonArray(
                        new JsonObject { ["name"] = "netns", ["mountPath"] = "/run/netns", ["mountPropagation"] = "HostToContainer", ["readOnly"] = true },
                        new JsonObject { ["name"] = "openvswitch", ["mountPath"] = "/run/openvswitch" }),
                }),
                ["volumes"] = new JsonArray(
                    new JsonObject { ["name"] = "netns", ["hostPath"] = new JsonObject { ["path"] = "/run/netns", ["type"] = "DirectoryOrCreate" } },
                    new JsonObject { ["name"] = "openvswitch", ["hostPath"] = new JsonObject { ["path"] = "/run/openvswitch", ["type"] = "DirectoryOrCreate" } }),
            },
        };
        return pod.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }
}
