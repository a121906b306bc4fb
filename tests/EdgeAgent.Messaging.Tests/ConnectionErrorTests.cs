using System.Diagnostics;
using EdgeAgent.Messaging.Link;
using EdgeAgent.Messaging.Tests.Support;
using EdgeAgent.Messaging.TestHost;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace EdgeAgent.Messaging.Tests;

/// <summary>Refused connections: a clear reason in logs and status, retries with back-off, no crash, nothing lost.</summary>
public sealed class ConnectionErrorTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private static void EnqueueThree(MessagingHarness agent)
    {
        for (var i = 0; i < 3; i++)
        {
            agent.Outbox.Enqueue(SampleResults.Numbered(i));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_wrong_password_is_reported_and_retried_and_once_corrected_everything_drains()
    {
        using var broker = MosquittoBroker.Create($"allow_anonymous false\npassword_file {_data.File("unused")}");
        var passwords = broker.File("passwd");
        using (var make = Process.Start("mosquitto_passwd", ["-c", "-b", passwords, "edge", "correct-horse"]))
        {
            await make.WaitForExitAsync();
        }
        await File.WriteAllTextAsync(broker.ConfigPath, (await File.ReadAllTextAsync(broker.ConfigPath)).Replace(_data.File("unused"), passwords, StringComparison.Ordinal));
        await broker.StartAsync();
        var secretFile = _data.File("mqtt-password");
        await File.WriteAllTextAsync(secretFile, "wrong-password\n");
        await using var agent = new MessagingHarness(_data.Path, broker.PlainUrl, new Dictionary<string, string?>
        {
            ["Mqtt:Username"] = "edge",
            ["Mqtt:PasswordFile"] = secretFile,
        });
        await agent.StartAsync();
        EnqueueThree(agent);

        var refused = await Await.LinkAsync(agent.Link, s => s.ConsecutiveFailures >= 3, TimeSpan.FromSeconds(20), "three refused connects");
        output.WriteLine(refused.LastError);
        // mosquitto answers a bad password under MQTT 5 with NotAuthorized (0x87), not BadUserNameOrPassword (0x86).
        Assert.Contains("broker refused the connection: NotAuthorized", refused.LastError);
        Assert.Contains("check Mqtt:Username", refused.LastError);
        Assert.NotNull(refused.NextAttemptAt);
        Assert.Equal(3, agent.Outbox.GetStats().PendingCount);
        Assert.True(agent.Logs.Contains("MQTT connect to mqtt://127.0.0.1"));
        Assert.False(agent.Logs.Contains("wrong-password"), "the password never appears in a log");

        // The password file is read at every connect: fixing it is enough.
        await File.WriteAllTextAsync(secretFile, "correct-horse\n");
        await Await.ConditionAsync(() => agent.Outbox.GetStats().PendingCount == 0, TimeSpan.FromSeconds(20), "drained after the fix");
        Assert.Equal(3, agent.Publisher.PublishedTotal);
        Assert.False(agent.Logs.Contains("correct-horse"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_client_the_broker_refuses_is_retried_with_back_off_and_drains_once_admitted()
    {
        var admit = false;
        var attempts = 0;
        await using var broker = await EmbeddedBroker.StartAsync(server => server.ValidatingConnectionAsync += e =>
        {
            Interlocked.Increment(ref attempts);
            if (!Volatile.Read(ref admit))
            {
                e.ReasonCode = MqttConnectReasonCode.NotAuthorized;
            }
            return Task.CompletedTask;
        });
        await using var agent = new MessagingHarness(_data.Path, broker.Url);
        await agent.StartAsync();
        EnqueueThree(agent);

        var refused = await Await.LinkAsync(agent.Link, s => s.ConsecutiveFailures >= 3, TimeSpan.FromSeconds(20), "three refused connects");
        output.WriteLine(refused.LastError);
        Assert.Contains("NotAuthorized", refused.LastError);
        Assert.Equal(3, agent.Outbox.GetStats().PendingCount);

        Volatile.Write(ref admit, true);
        await Await.ConditionAsync(() => agent.Outbox.GetStats().PendingCount == 0, TimeSpan.FromSeconds(20), "drained once admitted");
        Assert.Equal(3, agent.Publisher.PublishedTotal);
    }

    [Fact(Timeout = 90_000)]
    public async Task Tls_a_wrong_CA_or_a_wrong_pin_is_refused_with_the_reason_and_the_right_ones_drain_the_same_outbox()
    {
        using var certificates = new TempDirectory();
        var pki = await Certificates.CreateAsync(certificates.Path);
        using var broker = MosquittoBroker.Create("");
        File.Copy(pki.ServerCertificate, broker.File("server.crt"));
        File.Copy(pki.ServerKey, broker.File("server.key"));
        File.Copy(pki.CaFile, broker.File("ca.crt"));
        await File.AppendAllTextAsync(broker.ConfigPath,
            $"\ncafile {broker.File("ca.crt")}\ncertfile {broker.File("server.crt")}\nkeyfile {broker.File("server.key")}\n");
        await broker.StartAsync();

        async Task<LinkStatus> RefusedWith(Dictionary<string, string?> tls)
        {
            await using var agent = new MessagingHarness(_data.Path, broker.TlsUrl, tls);
            await agent.StartAsync();
            if (agent.Outbox.GetStats().PendingCount == 0)
            {
                EnqueueThree(agent);
            }
            var status = await Await.LinkAsync(agent.Link, s => s.ConsecutiveFailures >= 2, TimeSpan.FromSeconds(20), "two refused TLS connects");
            Assert.Equal(3, agent.Outbox.GetStats().PendingCount);
            return status;
        }

        var wrongCa = await RefusedWith(new() { ["Mqtt:CaFile"] = pki.OtherCaFile });
        output.WriteLine(wrongCa.LastError);
        Assert.Contains("not trusted by Mqtt:CaFile", wrongCa.LastError);

        var serverPin = CertificatePin.Of(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(pki.ServerCertificate));
        var wrongPin = await RefusedWith(new() { ["Mqtt:CaFile"] = pki.CaFile, ["Mqtt:CertificatePin"] = new string('a', 64) });
        output.WriteLine(wrongPin.LastError);
        Assert.Contains($"has fingerprint {serverPin}, not Mqtt:CertificatePin", wrongPin.LastError);

        await using var right = new MessagingHarness(_data.Path, broker.TlsUrl, new Dictionary<string, string?> { ["Mqtt:CaFile"] = pki.CaFile, ["Mqtt:CertificatePin"] = serverPin });
        await right.StartAsync();
        await Await.ConditionAsync(() => right.Outbox.GetStats().PendingCount == 0, TimeSpan.FromSeconds(20), "drained over TLS");
        Assert.Equal(3, right.Publisher.PublishedTotal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_broker_that_requires_a_client_certificate_refuses_without_one_and_drains_with_it()
    {
        using var certificates = new TempDirectory();
        var pki = await Certificates.CreateAsync(certificates.Path);
        using var broker = MosquittoBroker.Create("");
        File.Copy(pki.ServerCertificate, broker.File("server.crt"));
        File.Copy(pki.ServerKey, broker.File("server.key"));
        File.Copy(pki.CaFile, broker.File("ca.crt"));
        await File.AppendAllTextAsync(broker.ConfigPath,
            $"\ncafile {broker.File("ca.crt")}\ncertfile {broker.File("server.crt")}\nkeyfile {broker.File("server.key")}\nrequire_certificate true\n");
        await broker.StartAsync();

        await using (var without = new MessagingHarness(_data.Path, broker.TlsUrl, new Dictionary<string, string?> { ["Mqtt:CaFile"] = pki.CaFile }))
        {
            await without.StartAsync();
            EnqueueThree(without);
            var refused = await Await.LinkAsync(without.Link, s => s.ConsecutiveFailures >= 2, TimeSpan.FromSeconds(20), "refused without a client certificate");
            output.WriteLine(refused.LastError);
            Assert.NotNull(refused.LastError);
            Assert.Equal(3, without.Outbox.GetStats().PendingCount);
        }

        await using var with = new MessagingHarness(_data.Path, broker.TlsUrl, new Dictionary<string, string?>
        {
            ["Mqtt:CaFile"] = pki.CaFile,
            ["Mqtt:ClientCertificateFile"] = pki.ClientCertificate,
            ["Mqtt:ClientKeyFile"] = pki.ClientKey,
        });
        await with.StartAsync();
        await Await.ConditionAsync(() => with.Outbox.GetStats().PendingCount == 0, TimeSpan.FromSeconds(20), "drained with a client certificate");
        Assert.Equal(3, with.Publisher.PublishedTotal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Mqtt_3_1_1_by_configuration_delivers_results_without_MQTT_5_properties()
    {
        using var broker = await MosquittoBroker.StartAsync();
        var topic = EdgeAgent.Messaging.Contracts.Topics.Results(MessagingHarness.Site, MessagingHarness.Device);
        await using var hub = await TestSubscriber.ConnectAsync(broker.Port, topic);
        await using var agent = new MessagingHarness(_data.Path, broker.PlainUrl, new Dictionary<string, string?> { ["Mqtt:ProtocolVersion"] = "3.1.1" });
        await agent.StartAsync();
        EnqueueThree(agent);

        var received = await hub.WaitForAsync(m => m.Count >= 3, TimeSpan.FromSeconds(20), "three results");

        Assert.Equal("3.1.1", agent.Link.Status.ProtocolVersion);
        Assert.Equal(Enumerable.Range(0, 3).Select(i => SampleResults.Numbered(i).ResultId), received.Select(Json.ResultId));
        Assert.All(received, m => Assert.Null(m.ContentType));
    }

    [Fact]
    public async Task Plaintext_to_another_host_warns_at_start_and_plaintext_on_loopback_does_not()
    {
        await using (var remote = new MessagingHarness(_data.Path, "mqtt://192.0.2.10:1883"))
        {
            await remote.StartAsync();
            Assert.True(remote.Logs.Contains("is plaintext to a host that is not this machine"));
        }
        using var other = new TempDirectory();
        await using var local = new MessagingHarness(other.Path, "mqtt://127.0.0.1:1");
        await local.StartAsync();
        Assert.False(local.Logs.Contains("plaintext"));
    }
}
