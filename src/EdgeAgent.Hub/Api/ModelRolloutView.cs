namespace EdgeAgent.Hub.Api;

/// <summary>Which model versions run where: one row per (model, version) with its devices, plus every device's update state.</summary>
public sealed record ModelRolloutView(IReadOnlyList<ModelVersionShare> Versions, IReadOnlyList<DeviceView> Devices);
