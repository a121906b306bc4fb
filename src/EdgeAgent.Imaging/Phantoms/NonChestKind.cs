namespace EdgeAgent.Imaging.Phantoms;

/// <summary>Inputs that are not chest radiographs, for the safety gate and out-of-distribution tests.</summary>
public enum NonChestKind
{
    /// <summary>A hand/wrist radiograph phantom (PA).</summary>
    Hand,
    /// <summary>A knee radiograph phantom (AP).</summary>
    Knee,
    /// <summary>A uniform frame (detector not exposed, lens cap, light box).</summary>
    Blank,
    /// <summary>Pure noise (white or smooth), e.g. a faulty camera.</summary>
    Noise,
}
