using System.CommandLine;
using EdgeAgent.Messaging.ModelUpdates;

namespace EdgeAgent.Hub.Cli;

/// <summary><c>edge-hub keys create --out DIR</c>: the ECDSA P-256 key pair that signs model updates.</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the PEM files (private key mode 0600).", Required = true };
        var create = new Command("create", "Create an update-signing key pair; the public PEM goes into each agent's ModelUpdates:TrustedKeys.") { output };
        create.SetAction(parse =>
        {
            try
            {
                var (privatePath, publicPath) = UpdateSigner.CreateKeyFiles(parse.GetValue(output)!.FullName);
                Console.WriteLine($"private key: {privatePath} (keep it on the hub; never copy it to devices)");
                Console.WriteLine($"public key:  {publicPath} (add to ModelUpdates:TrustedKeys of every agent)");
                return 0;
            }
            catch (IOException ex)
            {
                Console.Error.WriteLine($"edge-hub keys create: {ex.Message}");
                return 1;
            }
        });
        return new Command("keys", "Update-signing keys.") { create };
    }
}
