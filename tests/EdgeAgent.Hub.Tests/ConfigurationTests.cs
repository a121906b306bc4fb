using EdgeAgent.Hub.Configuration;

namespace EdgeAgent.Hub.Tests;

public sealed class ConfigurationTests
{
    private static HubConfigurationException LoadFails(string json)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, json);
            return Assert.Throws<HubConfigurationException>(() => HubOptionsLoader.Load(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_valid_file_is_read_with_defaults_for_what_it_leaves_out()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """{ "Broker": { "Port": 1884 }, "Retention": { "MaxAgeDays": 90 } }""");
            var options = HubOptionsLoader.Load(file);
            Assert.Equal(1884, options.Broker.Port);
            Assert.Equal(90, options.Retention.MaxAgeDays);
            Assert.Equal("embedded", options.Broker.Mode);
            Assert.Equal("http://127.0.0.1:8080", options.Http.Url);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("""{ "Broker": { "Prot": 1 } }""", "Prot")]
    [InlineData("""{ "Broker": { "Mode": "cloud" } }""", "Broker:Mode")]
    [InlineData("""{ "Broker": { "Mode": "external" } }""", "Broker:Url")]
    [InlineData("""{ "Broker": { "Mode": "external", "Url": "http://x" } }""", "Broker:Url")]
    [InlineData("""{ "Broker": { "Mode": "external", "Url": "mqtts://x", "CaFile": "/nonexistent/ca.pem" } }""", "Broker:CaFile")]
    [InlineData("""{ "Broker": { "Port": 70000 } }""", "Broker:Port")]
    [InlineData("""{ "Http": { "Token": "short" } }""", "Http:Token")]
    [InlineData("""{ "Http": { "Url": "127.0.0.1:80" } }""", "Http:Url")]
    [InlineData("""{ "Storage": { "Provider": "oracle" } }""", "Storage:Provider")]
    [InlineData("""{ "Storage": { "MaxOverlayBytes": 0 } }""", "Storage:MaxOverlayBytes")]
    [InlineData("""{ "Retention": { "MaxAgeDays": -1 } }""", "Retention:MaxAgeDays")]
    [InlineData("""{ "Broker": { "Port": "many" } }""", "Broker:Port")]
    public void A_bad_value_stops_start_up_with_a_message_naming_the_key(string json, string key)
    {
        var error = LoadFails(json);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var error = Assert.Throws<HubConfigurationException>(() => HubOptionsLoader.Load("/nonexistent/hub.json"));
        Assert.Contains("/nonexistent/hub.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Broker_url_scheme_decides_tls_and_default_port()
    {
        Assert.Equal(new BrokerEndpoint("broker.lan", 8883, true), BrokerEndpoint.Parse("mqtts://broker.lan"));
        Assert.Equal(new BrokerEndpoint("127.0.0.1", 1883, false), BrokerEndpoint.Parse("mqtt://127.0.0.1"));
        Assert.Equal(new BrokerEndpoint("h", 9000, true), BrokerEndpoint.Parse("mqtts://h:9000"));
    }
}
