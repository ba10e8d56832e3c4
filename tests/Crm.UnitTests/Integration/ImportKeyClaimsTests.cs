using Crm.Modules.Integration.Features.Imports;

namespace Crm.UnitTests.Integration;

/// <summary>The per-chunk key registry in memory: a fresh job's first chunk needs no database (nothing was claimed before it).</summary>
internal sealed class ImportKeyClaimsTests
{
    private static ImportKeyClaims FirstChunk() => new ImportJobKeys(null!, Guid.NewGuid(), resumed: false).ForChunk();

    [Test]
    public async Task The_first_row_that_claims_a_key_wins_and_later_ones_name_it()
    {
        var keys = FirstChunk();
        await keys.PrefetchAsync(["externalId:A", "externalId:B"], CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(keys.TryClaim("externalId:A", 2, out var first) && first == 2, Is.True);
            Assert.That(keys.TryClaim("externalId:B", 3, out _), Is.True);
            Assert.That(keys.TryClaim("externalId:A", 7, out var again), Is.False);
            Assert.That(again, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_key_claimed_without_being_prefetched_throws()
    {
        var keys = FirstChunk();
        await keys.PrefetchAsync(["externalId:A"], CancellationToken.None);

        Assert.That(() => keys.TryClaim("externalId:B", 2, out _), Throws.InvalidOperationException.With.Message.Contains("externalId:B"));
    }

    [Test]
    public void The_filter_holds_what_was_added_and_little_else()
    {
        var filter = new ImportKeyFilter();
        var random = new Random(44);
        var added = Enumerable.Range(0, 100_000).Select(_ => random.NextInt64(long.MinValue, long.MaxValue)).ToList();
        added.ForEach(filter.Add);
        var others = Enumerable.Range(0, 100_000).Select(_ => random.NextInt64(long.MinValue, long.MaxValue)).Count(filter.MayContain);

        Assert.Multiple(() =>
        {
            Assert.That(added.All(filter.MayContain), Is.True);
            Assert.That(others, Is.LessThan(100), "about 0.07 % of other keys at 100,000 in 2^27 bits");
        });
    }
}
