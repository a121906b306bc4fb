using System.Text.Json;
using EdgeAgent.Hub.Storage;

namespace EdgeAgent.Hub.Api;

/// <summary>Maps stored records to the API's views.</summary>
public static class ApiViews
{
    public static ResultSummaryView Summary(StoredResult stored)
    {
        var r = stored.Result;
        double? confidence = r.Label is not null && r.Probabilities.TryGetValue(r.Label, out var p) ? p : null;
        return new ResultSummaryView(r.ResultId, r.Site, r.DeviceId, r.Status, r.Label, confidence, r.AcquiredAt, r.DiagnosedAt,
            stored.ReceivedAt, r.Model.Name, r.Model.Version, r.Input.FileName, r.HasOverlay);
    }

    public static DeviceView Device(DeviceRecord device)
    {
        var s = device.Status;
        var state = s?.State ?? "unknown";
        return new DeviceView(
            device.Site,
            device.DeviceId,
            state,
            state == "online",
            device.LastSeen,
            s?.AgentVersion,
            s?.ModelName,
            s?.ModelVersion,
            s?.Provider,
            s?.QueueDepth ?? 0,
            s?.OldestQueuedAgeSeconds,
            s?.Processed ?? 0,
            s?.Failed ?? 0,
            s?.Alarms ?? [],
            s?.LastError,
            s?.StartedAt,
            s?.BirthSequence,
            ParseModelUpdate(device.ModelUpdateJson),
            device.ModelUpdateAt);
    }

    public static ModelRolloutView Rollout(IReadOnlyList<DeviceRecord> devices)
    {
        var views = devices.Select(Device).ToList();
        var versions = views
            .Where(d => d.ModelName is not null && d.ModelVersion is not null)
            .GroupBy(d => (Name: d.ModelName!, Version: d.ModelVersion!))
            .Select(g => new ModelVersionShare(g.Key.Name, g.Key.Version, g.Count(), g.Count(d => d.Online),
                g.Select(d => d.Site + "/" + d.DeviceId).ToList()))
            .OrderBy(v => v.ModelName, StringComparer.Ordinal)
            .ThenByDescending(v => v.DeviceCount)
            .ToList();
        return new ModelRolloutView(versions, views);
    }

    /// <summary>The model/status payload is owned by the update protocol; the hub passes it through, wrapping non-JSON text as a string.</summary>
    private static JsonElement? ParseModelUpdate(string? json)
    {
        if (json is null)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(json);
        }
    }
}
