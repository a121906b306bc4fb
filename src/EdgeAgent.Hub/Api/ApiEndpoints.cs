using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeAgent.Hub.Ingest;
using EdgeAgent.Hub.Live;
using EdgeAgent.Hub.Storage;
using EdgeAgent.Messaging.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeAgent.Hub.Api;

/// <summary>The JSON API under /api (all of it behind the bearer token; see docs/hub.md).</summary>
public static class ApiEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");

        api.MapGet("/devices", async (IResultStore store, CancellationToken ct) =>
            (await store.GetDevicesAsync(ct)).Select(ApiViews.Device).ToList());

        api.MapGet("/models", async (IResultStore store, CancellationToken ct) =>
            ApiViews.Rollout(await store.GetDevicesAsync(ct)));

        api.MapGet("/results", async (HttpRequest request, IResultStore store, CancellationToken ct) =>
        {
            if (!TryReadQuery(request, out var query, out var error))
            {
                return Results.BadRequest(new { error });
            }
            var page = await store.QueryResultsAsync(query, ct);
            return Results.Ok(new ResultPageView(page.Items.Select(ApiViews.Summary).ToList(), page.Total, page.Offset, page.Limit));
        });

        api.MapGet("/results.csv", async (HttpContext context, IResultStore store) =>
        {
            if (!TryReadQuery(context.Request, out var query, out var error))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsJsonAsync(new { error }, context.RequestAborted);
                return;
            }
            context.Response.ContentType = "text/csv; charset=utf-8";
            context.Response.Headers.ContentDisposition = "attachment; filename=\"edge-hub-results.csv\"";
            await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false), 64 * 1024);
            await ResultsCsvWriter.WriteAsync(writer, store.ExportResultsAsync(query, context.RequestAborted), context.RequestAborted);
        });

        api.MapGet("/results/{id}", async (string id, IResultStore store, OverlayFileStore overlays, CancellationToken ct) =>
        {
            var stored = ResultIdRules.IsValid(id) ? await store.GetResultAsync(id, ct) : null;
            if (stored is null)
            {
                return Results.NotFound(new { error = $"No result with id '{id}'." });
            }
            return Results.Ok(new ResultDetailView(stored.Result, stored.ReceivedAt, overlays.Exists(id), false,
                "The agent does not send the original image; it stays at the clinic. The overlay shows it with the Grad-CAM heat map blended in."));
        });

        api.MapGet("/results/{id}/overlay", async (string id, IResultStore store, OverlayFileStore overlays, CancellationToken ct) =>
        {
            // Served only for a stored result, so an overlay that outlived retention or never had a result is not reachable.
            if (!ResultIdRules.IsValid(id) || await store.GetResultAsync(id, ct) is null)
            {
                return Results.NotFound(new { error = $"No result with id '{id}'." });
            }
            var stream = overlays.OpenRead(id);
            return stream is null
                ? Results.NotFound(new { error = $"Result '{id}' has no overlay (not sent, refused for size, or not arrived yet)." })
                : Results.Stream(stream, "image/png");
        });

        api.MapGet("/stats", async (IResultStore store, IngestStatistics statistics, LiveEventHub live, CancellationToken ct) =>
            new HubStatsView(statistics.Connected, await store.CountResultsAsync(ct), statistics.ResultsReceived, statistics.ResultsStored,
                statistics.Duplicates, statistics.Refused, statistics.OverlaysStored, live.SubscriberCount));

        api.MapGet("/events", async (HttpContext context, LiveEventHub live, TimeProvider time) =>
        {
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers["X-Accel-Buffering"] = "no";
            var ct = context.RequestAborted;
            await context.Response.WriteAsync(": connected\n\n", ct);
            await context.Response.Body.FlushAsync(ct);
            try
            {
                // A heartbeat after 15 s of silence keeps proxies and the browser from closing an idle stream.
                await foreach (var liveEvent in live.SubscribeAsync(TimeSpan.FromSeconds(15), time, ct))
                {
                    await context.Response.WriteAsync($"event: {liveEvent.Type}\ndata: {liveEvent.Json}\n\n", ct);
                    await context.Response.Body.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    /// <summary>The result statuses agents publish (ResultStatus), in the order the dashboard lists them.</summary>
    internal static readonly string[] KnownStatuses = [ResultStatus.Ok, ResultStatus.NeedsReview, ResultStatus.OutOfDistribution, ResultStatus.Rejected];

    internal static bool TryReadQuery(HttpRequest request, out ResultQuery query, out string? error)
    {
        var q = request.Query;
        query = new ResultQuery();
        error = null;
        string? Text(string name) => q.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString() : null;

        DateTimeOffset? from = null, to = null;
        if (Text("from") is { } f)
        {
            if (!DateTimeOffset.TryParse(f, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                error = $"Query parameter 'from' ('{f}') is not an ISO 8601 time.";
                return false;
            }
            from = parsed;
        }
        if (Text("to") is { } t)
        {
            if (!DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                error = $"Query parameter 'to' ('{t}') is not an ISO 8601 time.";
                return false;
            }
            to = parsed;
        }
        // status=needs-review,out-of-distribution or status=…&status=…: any of them. An unknown name is an error, not an empty page.
        var statuses = q.TryGetValue("status", out var statusValues)
            ? statusValues.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal).ToList()
            : [];
        if (statuses.FirstOrDefault(st => !KnownStatuses.Contains(st)) is { } unknown)
        {
            error = $"Query parameter 'status' ('{unknown}') must be one of {string.Join(", ", KnownStatuses)} (several: comma-separated).";
            return false;
        }
        var offset = 0;
        if (Text("offset") is { } o && (!int.TryParse(o, CultureInfo.InvariantCulture, out offset) || offset < 0))
        {
            error = $"Query parameter 'offset' ('{o}') must be a non-negative integer.";
            return false;
        }
        var limit = 50;
        if (Text("limit") is { } l && (!int.TryParse(l, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > ResultQuery.MaxLimit))
        {
            error = $"Query parameter 'limit' ('{l}') must be an integer in 1..{ResultQuery.MaxLimit}.";
            return false;
        }
        query = new ResultQuery
        {
            DeviceId = Text("device"),
            Site = Text("site"),
            Label = Text("label"),
            Statuses = statuses.Count == 0 ? null : statuses,
            From = from,
            To = to,
            Offset = offset,
            Limit = limit,
        };
        return true;
    }
}
