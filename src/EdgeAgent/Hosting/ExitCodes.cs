namespace EdgeAgent.Hosting;

/// <summary>Process exit codes of edge-agent.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Something failed at run time (the pipeline crashed, an image could not be classified).</summary>
    public const int Failure = 1;
    /// <summary>Wrong command-line usage.</summary>
    public const int Usage = 2;
    /// <summary>Configuration or model package is invalid (sysexits EX_CONFIG; systemd units can skip restarts on it).</summary>
    public const int Config = 78;
}
