using Crm.Modules.Identity.Auth;
using Microsoft.Extensions.Caching.Memory;

namespace Crm.UnitTests.Identity;

internal sealed class RevocableCacheTests
{
    private MemoryCache _memory = null!;
    private RevocableCache<int, string> _cache = null!;
    private int _loads;

    [SetUp]
    public void CreateCache()
    {
        _memory = new MemoryCache(new MemoryCacheOptions());
        _cache = new RevocableCache<int, string>(_memory, "test", TimeSpan.FromMinutes(5));
        _loads = 0;
    }

    [TearDown]
    public void DisposeCache() => _memory.Dispose();

    private Task<string> LoadAsync(int key, CancellationToken ct)
    {
        _loads++;
        return Task.FromResult($"{key}#{_loads}");
    }

    [Test]
    public async Task A_loaded_value_is_served_from_memory_until_its_key_is_invalidated()
    {
        var first = await _cache.GetOrLoadAsync(1, LoadAsync, CancellationToken.None);
        var again = await _cache.GetOrLoadAsync(1, LoadAsync, CancellationToken.None);
        _cache.Invalidate(1);
        var reloaded = await _cache.GetOrLoadAsync(1, LoadAsync, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(again, Is.EqualTo(first));
            Assert.That(reloaded, Is.EqualTo("1#2"));
        });
    }

    [Test]
    public async Task Invalidating_one_key_keeps_the_others_and_invalidating_all_drops_every_key()
    {
        await _cache.GetOrLoadAsync(1, LoadAsync, CancellationToken.None);
        await _cache.GetOrLoadAsync(2, LoadAsync, CancellationToken.None);
        _cache.Invalidate(1);
        Assert.That(await _cache.GetOrLoadAsync(2, LoadAsync, CancellationToken.None), Is.EqualTo("2#2"));

        _cache.InvalidateAll();

        Assert.Multiple(async () =>
        {
            Assert.That(await _cache.GetOrLoadAsync(1, LoadAsync, CancellationToken.None), Is.EqualTo("1#3"));
            Assert.That(await _cache.GetOrLoadAsync(2, LoadAsync, CancellationToken.None), Is.EqualTo("2#4"));
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_load_that_overlaps_an_invalidation_answers_its_caller_but_is_not_kept(bool all)
    {
        // The load reads the old state, then the change commits and invalidates before the load stores its result.
        var stale = await _cache.GetOrLoadAsync(1, (key, _) =>
        {
            if (all)
            {
                _cache.InvalidateAll();
            }
            else
            {
                _cache.Invalidate(key);
            }

            return Task.FromResult("old");
        }, CancellationToken.None);

        var next = await _cache.GetOrLoadAsync(1, LoadAsync, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(stale, Is.EqualTo("old"));
            Assert.That(next, Is.EqualTo("1#1"));
        });
    }

    [Test]
    public async Task A_value_is_not_kept_beyond_its_lifetime()
    {
        var clock = new ManualClock();
        using var memory = new MemoryCache(new MemoryCacheOptions { Clock = clock });
        var cache = new RevocableCache<int, string>(memory, "test", TimeSpan.FromSeconds(30));
        await cache.GetOrLoadAsync(1, LoadAsync, CancellationToken.None);

        clock.UtcNow += TimeSpan.FromSeconds(29);
        var within = await cache.GetOrLoadAsync(1, LoadAsync, CancellationToken.None);
        clock.UtcNow += TimeSpan.FromSeconds(2);
        var after = await cache.GetOrLoadAsync(1, LoadAsync, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(within, Is.EqualTo("1#1"));
            Assert.That(after, Is.EqualTo("1#2"));
        });
    }

    private sealed class ManualClock : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow { get; set; } = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);
    }
}
