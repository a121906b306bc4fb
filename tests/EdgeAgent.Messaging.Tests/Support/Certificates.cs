using System.Diagnostics;

namespace EdgeAgent.Messaging.Tests.Support;

/// <summary>Test PKI made with openssl at run time: a CA, a broker certificate for 127.0.0.1 it signs, and a second, unrelated CA.</summary>
internal sealed class Certificates
{
    private Certificates(string directory)
    {
        CaFile = Path.Combine(directory, "ca.crt");
        ServerCertificate = Path.Combine(directory, "server.crt");
        ServerKey = Path.Combine(directory, "server.key");
        OtherCaFile = Path.Combine(directory, "other-ca.crt");
        ClientCertificate = Path.Combine(directory, "client.crt");
        ClientKey = Path.Combine(directory, "client.key");
    }

    public string CaFile { get; }
    public string ServerCertificate { get; }
    public string ServerKey { get; }
    public string OtherCaFile { get; }
    public string ClientCertificate { get; }
    public string ClientKey { get; }

    public static async Task<Certificates> CreateAsync(string directory)
    {
        var c = new Certificates(directory);
        var ec = new[] { "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes" };
        await OpenSslAsync(directory, ["req", "-x509", .. ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=EdgeAgent Test CA"]);
        await OpenSslAsync(directory, ["req", "-x509", .. ec, "-keyout", "other-ca.key", "-out", "other-ca.crt", "-days", "2", "-subj", "/CN=Unrelated CA"]);
        await OpenSslAsync(directory, ["req", .. ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"]);
        await File.WriteAllTextAsync(Path.Combine(directory, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        await OpenSslAsync(directory, ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.crt", "-days", "2", "-extfile", "san.ext"]);
        await OpenSslAsync(directory, ["req", .. ec, "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=dev1"]);
        await OpenSslAsync(directory, ["x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "client.crt", "-days", "2"]);
        return c;
    }

    private static async Task OpenSslAsync(string directory, string[] arguments)
    {
        var info = new ProcessStartInfo("openssl") { WorkingDirectory = directory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} failed: {error}");
        }
    }
}
