using EdgeAgent.Messaging.Link;
using EdgeAgent.Messaging.Outbox;
using EdgeAgent.Messaging.Publishing;
using EdgeAgent.Messaging.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Messaging.Tests;

/// <summary>Bad configuration stops start-up with a message that names the key.</summary>
public sealed class ConfigurationTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private static string? Validate(MqttOptions options)
    {
        var result = new MqttOptionsValidator().Validate(null, options);
        return result.Failed ? result.FailureMessage : null;
    }

    [Fact]
    public void The_defaults_are_valid_and_use_TLS_on_8883()
    {
        Assert.Null(Validate(new MqttOptions()));
        Assert.True(MqttEndpoint.TryParse(new MqttOptions().Url, out var endpoint, out _));
        Assert.Equal(new MqttEndpoint("localhost", 8883, true), endpoint);
    }

    [Theory]
    [InlineData("mqtt://broker.clinic.example", "broker.clinic.example", 1883, false, false)]
    [InlineData("mqtts://10.0.0.5", "10.0.0.5", 8883, true, false)]
    [InlineData("mqtt://127.0.0.1:1884", "127.0.0.1", 1884, false, true)]
    [InlineData("mqtt://[::1]:1885", "[::1]", 1885, false, true)]
    public void Urls_choose_TLS_and_port_and_know_loopback(string url, string host, int port, bool tls, bool loopback)
    {
        Assert.True(MqttEndpoint.TryParse(url, out var endpoint, out var error), error);
        Assert.Equal((host, port, tls, loopback), (endpoint!.Host, endpoint.Port, endpoint.UseTls, endpoint.IsLoopback));
    }

    [Theory]
    [InlineData(nameof(MqttOptions.Url), "tcp://broker:1883", "Mqtt:Url scheme 'tcp'")]
    [InlineData(nameof(MqttOptions.Url), "not a url", "Mqtt:Url 'not a url' is not a URL")]
    [InlineData(nameof(MqttOptions.Site), "clinic/1", "Mqtt:Site")]
    [InlineData(nameof(MqttOptions.DeviceId), "dev+1", "Mqtt:DeviceId")]
    [InlineData(nameof(MqttOptions.ProtocolVersion), "4", "Mqtt:ProtocolVersion")]
    [InlineData(nameof(MqttOptions.CertificatePin), "abc", "Mqtt:CertificatePin")]
    [InlineData(nameof(MqttOptions.Overlay), "shrink", "Mqtt:Overlay")]
    [InlineData(nameof(MqttOptions.CaFile), "/nonexistent/ca.pem", "Mqtt:CaFile '/nonexistent/ca.pem' does not exist")]
    [InlineData(nameof(MqttOptions.PasswordEnvironmentVariable), "EDGEAGENT_TEST_UNSET_VARIABLE", "which is not set")]
    public void Each_bad_value_is_named_by_its_key(string property, string value, string message)
    {
        var options = new MqttOptions { Username = "edge" };
        typeof(MqttOptions).GetProperty(property)!.SetValue(options, value);

        Assert.Contains(message, Validate(options));
    }

    [Fact]
    public void TLS_settings_on_a_plaintext_url_and_two_password_sources_are_refused()
    {
        var secret = _data.File("secret");
        File.WriteAllText(secret, "x");
        var options = new MqttOptions
        {
            Url = "mqtt://127.0.0.1", Username = "edge", PasswordFile = secret, PasswordEnvironmentVariable = "PATH",
            CertificatePin = new string('a', 64),
        };

        var message = Validate(options);

        Assert.Contains("Mqtt:PasswordFile and Mqtt:PasswordEnvironmentVariable are both set", message);
        Assert.Contains("Mqtt:Url is plaintext mqtt://", message);
    }

    private static IHost Host(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddEdgeAgentMessaging(builder.Configuration);
        return builder.Build();
    }

    [Fact]
    public async Task A_host_with_a_bad_key_refuses_to_start_and_names_it()
    {
        using var host = Host(new() { ["Outbox:Path"] = _data.File("o.db"), ["Mqtt:Url"] = "http://broker" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Mqtt:Url scheme 'http'", error.Message);
    }

    [Fact]
    public void An_unknown_key_is_refused_by_name()
    {
        using var host = Host(new() { ["Outbox:Path"] = _data.File("o.db"), ["Mqtt:Urll"] = "mqtt://127.0.0.1" });

        var error = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<IOptions<MqttOptions>>().Value);

        Assert.Contains("Urll", error.Message);
    }

    [Fact]
    public void With_Mqtt_Enabled_false_the_outbox_is_there_and_nothing_connects()
    {
        using var host = Host(new() { ["Outbox:Path"] = _data.File("o.db"), ["Mqtt:Enabled"] = "false" });

        Assert.NotNull(host.Services.GetRequiredService<OutboxStore>());
        Assert.Empty(host.Services.GetServices<IHostedService>().OfType<MessagingService>());
        Assert.Null(host.Services.GetService<MqttLink>());
    }
}
