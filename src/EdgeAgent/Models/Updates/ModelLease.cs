namespace EdgeAgent.Models.Updates;

/// <summary>One item's hold on the model it started with; the model is not disposed before every lease on it ends.</summary>
public sealed class ModelLease : IDisposable
{
    private readonly ModelSlot _slot;
    private readonly ModelHolder? _holder;
    private int _released;

    internal ModelLease(ModelSlot slot, ModelHolder? holder = null)
    {
        _slot = slot;
        _holder = holder;
    }

    public LoadedModel Model => _slot.Model;

    internal ModelSlot Slot => _slot;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _slot.Release();
            _holder?.Released(_slot);
        }
    }
}
