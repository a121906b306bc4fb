namespace EdgeAgent.Devices.Watchdog;

/// <summary>
/// Implemented by the agent: reports whether the pipeline can still diagnose (model session loaded,
/// worker loop alive and not stuck). The systemd watchdog is fed only while this says healthy.
/// </summary>
public interface IPipelineHealth
{
    PipelineHealth Check();
}
