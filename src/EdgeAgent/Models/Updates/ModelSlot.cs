namespace EdgeAgent.Models.Updates;

/// <summary>A loaded model plus the count of items using it; disposed once retired and unused.</summary>
internal sealed class ModelSlot(LoadedModel model)
{
    private readonly Lock _gate = new();
    private int _users;
    private bool _retired;

    public LoadedModel Model { get; } = model;

    public bool TryAcquire()
    {
        lock (_gate)
        {
            if (_retired)
            {
                return false;
            }
            _users++;
            return true;
        }
    }

    public void Release()
    {
        bool dispose;
        lock (_gate)
        {
            _users--;
            dispose = _retired && _users == 0;
        }
        if (dispose)
        {
            Model.Dispose();
        }
    }

    public void Retire()
    {
        bool dispose;
        lock (_gate)
        {
            if (_retired)
            {
                return;
            }
            _retired = true;
            dispose = _users == 0;
        }
        if (dispose)
        {
            Model.Dispose();
        }
    }
}
