using EdgeAgent.Inference;

namespace EdgeAgent.Models.Updates;

/// <summary>
/// The model the pipeline uses, read once per item (<see cref="Acquire"/>): a swap is one reference exchange, so an
/// item in flight finishes on the model it started with and the next item gets the new one. The previous model stays
/// loaded for an instant rollback. The first <c>healthWindow</c> inferences of a swapped-in model are watched; a bad
/// one (exception, NaN, every output identical) raises <see cref="Unhealthy"/> once.
/// </summary>
public sealed class ModelHolder : IDisposable
{
    private readonly Lock _gate = new();
    private readonly int _healthWindow;
    private ModelSlot _current;
    private ModelSlot? _previous;
    private List<IReadOnlyList<float>>? _watched;

    public ModelHolder(LoadedModel initial, int healthWindow = 20)
    {
        _current = new ModelSlot(initial);
        _healthWindow = Math.Max(2, healthWindow);
    }

    /// <summary>Raised (once per swap) with the reason when the swapped-in model misbehaves.</summary>
    public event Action<LoadedModel, string>? Unhealthy;

    public LoadedModel Current
    {
        get
        {
            lock (_gate)
            {
                return _current.Model;
            }
        }
    }

    public LoadedModel? Previous
    {
        get
        {
            lock (_gate)
            {
                return _previous?.Model;
            }
        }
    }

    /// <summary>True while the swapped-in model's first inferences are being watched.</summary>
    public bool OnProbation
    {
        get
        {
            lock (_gate)
            {
                return _watched is not null;
            }
        }
    }

    public ModelLease Acquire()
    {
        while (true)
        {
            ModelSlot slot;
            lock (_gate)
            {
                slot = _current;
            }
            if (slot.TryAcquire())
            {
                return new ModelLease(slot);
            }
        }
    }

    /// <summary>Makes <paramref name="next"/> current; the old current becomes previous; the one before is disposed when unused.</summary>
    public void Swap(LoadedModel next, bool watch = true)
    {
        ModelSlot? dropped;
        lock (_gate)
        {
            dropped = _previous;
            _previous = _current;
            _current = new ModelSlot(next);
            _watched = watch ? [] : null;
        }
        dropped?.Retire();
    }

    /// <summary>Makes the previous model current again and disposes the failed one when unused; false without a previous model.</summary>
    public bool RollBack()
    {
        ModelSlot failed;
        lock (_gate)
        {
            if (_previous is null)
            {
                return false;
            }
            failed = _current;
            _current = _previous;
            _previous = null;
            _watched = null;
        }
        failed.Retire();
        return true;
    }

    /// <summary>Called by the pipeline after each inference on a leased model (diagnosis null when it threw).</summary>
    public void Observe(ModelLease lease, Diagnosis? diagnosis, Exception? error)
    {
        string? reason = null;
        lock (_gate)
        {
            if (_watched is null || lease.Slot != _current)
            {
                return;
            }
            if (error is not null)
            {
                reason = $"inference failed ({error.GetType().Name}: {error.Message})";
            }
            else if (diagnosis!.Probabilities.Values.Any(p => !double.IsFinite(p)) || diagnosis.Logits.Any(l => !float.IsFinite(l)))
            {
                reason = "NaN outputs";
            }
            else
            {
                _watched.Add(diagnosis.Logits);
                if (_watched.Count >= _healthWindow)
                {
                    // Distinct inputs must not all give the same scores; a collapsed model does. Exact equality is
                    // the test: two different images through a working float32 network virtually never tie bit for bit.
                    var first = _watched[0];
                    reason = _watched.All(l => l.SequenceEqual(first)) ? $"identical outputs for {_watched.Count} inputs" : null;
                    _watched = null;
                }
            }
            if (reason is not null)
            {
                _watched = null;
            }
        }
        if (reason is not null)
        {
            Unhealthy?.Invoke(lease.Model, reason);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _previous?.Retire();
            _current.Retire();
        }
    }
}
