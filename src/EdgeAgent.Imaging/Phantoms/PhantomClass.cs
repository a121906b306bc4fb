namespace EdgeAgent.Imaging.Phantoms;

/// <summary>Classes of synthetic chest phantoms; <see cref="PhantomLabels"/> gives their folder names.</summary>
public enum PhantomClass
{
    Covid,
    Pneumonia,
    Normal,
}
