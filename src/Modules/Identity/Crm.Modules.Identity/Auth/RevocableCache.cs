using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Primitives;

namespace Crm.Modules.Identity.Auth;

/// <summary>
/// Security state loaded from the database and remembered in this process for at most <paramref name="lifetime"/>:
/// a change made through this process drops it at once (<see cref="Invalidate"/>, <see cref="InvalidateAll"/>), a change
/// made by another replica is seen once the lifetime ends (docs/adr/0045-customer-by-id-hot-path.md).
/// </summary>
/// <remarks>
/// A load that overlaps an invalidation still answers its own request (it raced the change), but is not kept: otherwise a
/// value read just before a change commits could be stored just after the change's invalidation and outlive it.
/// </remarks>
internal sealed class RevocableCache<TKey, TValue>(IMemoryCache cache, string name, TimeSpan lifetime)
    where TKey : notnull
{
    private long _generation;
    private CancellationTokenSource _all = new();

    public async Task<TValue> GetOrLoadAsync(TKey key, Func<TKey, CancellationToken, Task<TValue>> load, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(load);
        var cacheKey = (name, key);
        if (cache.TryGetValue(cacheKey, out TValue? cached))
        {
            return cached!;
        }

        var generation = Interlocked.Read(ref _generation);
        var all = Volatile.Read(ref _all);
        var value = await load(key, ct);
        using (var entry = cache.CreateEntry(cacheKey))
        {
            entry.Value = value;
            entry.AbsoluteExpirationRelativeToNow = lifetime;
            entry.AddExpirationToken(new CancellationChangeToken(all.Token));
        }

        // Checked after storing: an invalidation between a check and the store would otherwise be missed.
        if (Interlocked.Read(ref _generation) != generation)
        {
            cache.Remove(cacheKey);
        }

        return value;
    }

    /// <summary>Forgets one key, after the change to it has committed.</summary>
    public void Invalidate(TKey key)
    {
        Interlocked.Increment(ref _generation);
        cache.Remove((name, key));
    }

    /// <summary>Forgets every key, after a change that may affect any of them has committed.</summary>
    public void InvalidateAll()
    {
        Interlocked.Increment(ref _generation);
        // Not disposed: a concurrent load may still be registering an entry on it, and it holds no timer.
        Interlocked.Exchange(ref _all, new CancellationTokenSource()).Cancel();
    }
}
