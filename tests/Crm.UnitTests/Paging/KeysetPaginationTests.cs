using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Paging;

namespace Crm.UnitTests.Paging;

internal sealed class KeysetPaginationTests
{
    private sealed record Row(Guid Id, string Name, DateTimeOffset CreatedAt);

    private static readonly SortDefinition<Row, Row> Sort = new SortDefinition<Row, Row>(r => r.Id, r => r.Id, "-createdAt")
        .Add("createdAt", r => r.CreatedAt, r => r.CreatedAt)
        .Add("name", r => r.Name, r => r.Name);

    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void The_default_sort_applies_when_none_is_given_and_the_id_breaks_ties_in_the_same_direction()
    {
        var order = Sort.Parse(null);
        Assert.That(order.Signature, Is.EqualTo("-createdAt,-id"));
        Assert.That(Sort.Parse("name").Signature, Is.EqualTo("name,id"));
        Assert.That(Sort.Parse("-createdAt,name").Signature, Is.EqualTo("-createdAt,name,id"));
    }

    [TestCase("colour")]
    [TestCase("name,-name")]
    [TestCase("id")]
    public void Unknown_or_repeated_sort_fields_are_a_validation_error_on_sort(string sort)
    {
        var error = Assert.Throws<ValidationFailedException>(() => Sort.Parse(sort))!;
        Assert.That(error.Errors.Keys, Is.EquivalentTo(new[] { "sort" }));
    }

    [Test]
    public void A_cursor_round_trips_the_key_values()
    {
        var order = Sort.Parse("-createdAt,name");
        var row = new Row(Guid.CreateVersion7(), "华为技术有限公司", T0.AddTicks(1234560));

        var decoded = CursorCodec.Decode(order, CursorCodec.Encode(order, order.ValuesOf(row)));

        Assert.That(decoded, Is.EqualTo(new object[] { row.CreatedAt, row.Name, row.Id }));
    }

    [TestCase("")]
    [TestCase("%%%")]
    [TestCase("eyJvIjoiLWNyZWF0ZWRBdCwtaWQiLCJrIjpbXX0")]
    [TestCase("bm90IGpzb24")]
    public void A_malformed_cursor_is_a_validation_error_on_cursor(string cursor)
    {
        var error = Assert.Throws<ValidationFailedException>(() => CursorCodec.Decode(Sort.Parse(null), cursor))!;
        Assert.That(error.Errors.Keys, Is.EquivalentTo(new[] { "cursor" }));
    }

    [Test]
    public void A_cursor_from_another_sort_order_is_refused()
    {
        var byName = Sort.Parse("name");
        var cursor = CursorCodec.Encode(byName, byName.ValuesOf(new Row(Guid.CreateVersion7(), "a", T0)));

        var error = Assert.Throws<ValidationFailedException>(() => CursorCodec.Decode(Sort.Parse("-name"), cursor))!;

        Assert.That(error.Errors["cursor"][0], Does.Contain("different sort"));
    }

    [Test]
    public void The_seek_predicate_selects_exactly_the_rows_after_the_cursor_row()
    {
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.CreateVersion7()).Order().ToArray();
        Row[] rows =
        [
            new(ids[0], "b", T0), new(ids[1], "a", T0), new(ids[2], "a", T0.AddSeconds(1)),
            new(ids[3], "c", T0.AddSeconds(-1)), new(ids[4], "a", T0.AddSeconds(-1)),
        ];
        var order = Sort.Parse("-createdAt,name");
        var ordered = KeysetPagination.ApplyOrder(rows.AsQueryable(), order).ToList();

        for (var i = 0; i < ordered.Count; i++)
        {
            var after = rows.AsQueryable().Where(KeysetPagination.SeekPredicate(order, order.ValuesOf(ordered[i])));
            Assert.That(KeysetPagination.ApplyOrder(after, order), Is.EqualTo(ordered.Skip(i + 1)), $"after row {i}");
        }
    }

    [TestCase(0)]
    [TestCase(501)]
    [TestCase(-5)]
    public void A_limit_outside_1_to_500_is_a_validation_error_on_limit(int limit)
    {
        var error = Assert.Throws<ValidationFailedException>(() => _ = new PageRequest(limit).EffectiveLimit)!;
        Assert.That(error.Errors.Keys, Is.EquivalentTo(new[] { "limit" }));
    }

    [Test]
    public void The_limit_defaults_to_50()
    {
        Assert.That(new PageRequest().EffectiveLimit, Is.EqualTo(50));
        Assert.That(new PageRequest(500).EffectiveLimit, Is.EqualTo(500));
    }
}
