using System.Globalization;
using System.Text;
using EdgeAgent.Hub.Storage;

namespace EdgeAgent.Hub.Api;

/// <summary>
/// RFC 4180 CSV of results, one row each. Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) get a
/// leading apostrophe: the file is opened on clinic PCs.
/// </summary>
public static class ResultsCsvWriter
{
    public static readonly string[] Header =
    [
        "resultId", "site", "deviceId", "status", "label", "confidence", "probabilities", "reasons", "acquiredAt", "diagnosedAt",
        "receivedAt", "modelName", "modelVersion", "precision", "fileName", "sha256", "studyInstanceUid", "seriesInstanceUid",
        "sopInstanceUid", "hasOverlay",
    ];

    public static async Task WriteAsync(TextWriter writer, IAsyncEnumerable<StoredResult> results, CancellationToken cancellationToken)
    {
        writer.NewLine = "\r\n"; // RFC 4180 line breaks, whatever the server's OS
        await writer.WriteLineAsync(string.Join(',', Header));
        var line = new StringBuilder();
        await foreach (var stored in results.WithCancellation(cancellationToken))
        {
            var r = stored.Result;
            double? confidence = r.Label is not null && r.Probabilities.TryGetValue(r.Label, out var p) ? p : null;
            string[] cells =
            [
                r.ResultId, r.Site, r.DeviceId, r.Status, r.Label ?? "",
                confidence?.ToString("0.####", CultureInfo.InvariantCulture) ?? "",
                string.Join(';', r.Probabilities.Select(kv => kv.Key + "=" + kv.Value.ToString("0.####", CultureInfo.InvariantCulture))),
                string.Join("; ", r.Reasons),
                Time(r.AcquiredAt), Time(r.DiagnosedAt), Time(stored.ReceivedAt),
                r.Model.Name, r.Model.Version, r.Model.Precision, r.Input.FileName, r.Input.Sha256,
                r.Input.StudyInstanceUid ?? "", r.Input.SeriesInstanceUid ?? "", r.Input.SopInstanceUid ?? "",
                r.HasOverlay ? "true" : "false",
            ];
            line.Clear();
            for (var i = 0; i < cells.Length; i++)
            {
                if (i > 0)
                {
                    line.Append(',');
                }
                AppendCell(line, cells[i]);
            }
            await writer.WriteLineAsync(line, cancellationToken);
        }
        await writer.FlushAsync(cancellationToken);
    }

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void AppendCell(StringBuilder line, string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }
        if (value.AsSpan().IndexOfAny(",\"\r\n") >= 0)
        {
            line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }
        else
        {
            line.Append(value);
        }
    }
}
