using System.Net;
using Crm.IntegrationTests;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sample;
using Crm.SharedKernel.Paging;

namespace Crm.IntegrationTests.Platform;

internal sealed class PaginationTests : IntegrationTest
{
    private async Task CreateNotesAsync(IEnumerable<string> titles, bool distinctTimes = true)
    {
        foreach (var title in titles)
        {
            if (distinctTimes)
            {
                Factory.Time.Advance(TimeSpan.FromSeconds(1));
            }

            var response = await Client.PostAsync("/api/v1/notes", JsonBody(new { title, priority = title.EndsWith('!') ? "high" : "low" }));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }
    }

    private async Task<List<NoteItem>> WalkAsync(string query)
    {
        var all = new List<NoteItem>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = $"/api/v1/notes?{query}" + (cursor is null ? string.Empty : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = await ReadAsync<Page<NoteItem>>(await Client.GetAsync(url), HttpStatusCode.OK);
            all.AddRange(page.Items);
            cursor = page.NextCursor;
            Assert.That(++pages, Is.LessThan(100), "paging does not terminate");
        }
        while (cursor is not null);

        return all;
    }

    [Test]
    public async Task Pages_follow_the_cursor_newest_first_until_next_cursor_is_null()
    {
        await CreateNotesAsync(["a", "b", "c", "d", "e", "f", "g"]);

        var first = await ReadAsync<Page<NoteItem>>(await Client.GetAsync("/api/v1/notes?limit=3"), HttpStatusCode.OK);
        var all = await WalkAsync("limit=3");

        Assert.Multiple(() =>
        {
            Assert.That(first.Items.Select(n => n.Title), Is.EqualTo(new[] { "g", "f", "e" }));
            Assert.That(first.NextCursor, Is.Not.Null);
            Assert.That(first.Total, Is.Null);
            Assert.That(all.Select(n => n.Title), Is.EqualTo(new[] { "g", "f", "e", "d", "c", "b", "a" }));
        });
    }

    [Test]
    public async Task Rows_with_equal_sort_values_are_neither_skipped_nor_repeated()
    {
        await CreateNotesAsync(Enumerable.Range(1, 12).Select(i => $"same time {i}"), distinctTimes: false);

        var onePage = await ReadAsync<Page<NoteItem>>(await Client.GetAsync("/api/v1/notes?limit=500"), HttpStatusCode.OK);
        var walked = await WalkAsync("limit=5");

        Assert.That(walked.Select(n => n.Id), Is.EqualTo(onePage.Items.Select(n => n.Id)));
        Assert.That(walked.Select(n => n.Id).Distinct().Count(), Is.EqualTo(12));
    }

    [Test]
    public async Task Sorting_by_another_field_pages_in_that_order()
    {
        string[] titles = ["pear", "apple", "fig", "kiwi", "banana", "cherry"];
        await CreateNotesAsync(titles);

        var ascending = await WalkAsync("limit=4&sort=title");
        var descending = await WalkAsync("limit=4&sort=-title");

        Assert.That(ascending.Select(n => n.Title), Is.EqualTo(titles.Order(StringComparer.Ordinal)));
        Assert.That(descending.Select(n => n.Title), Is.EqualTo(titles.OrderDescending(StringComparer.Ordinal)));
    }

    [Test]
    public async Task Filters_and_paging_combine_and_the_total_is_returned_on_request()
    {
        await CreateNotesAsync(["one!", "two", "three!", "four!", "five"]);

        var page = await ReadAsync<Page<NoteItem>>(await Client.GetAsync("/api/v1/notes?priority=high&limit=2&includeTotal=true"), HttpStatusCode.OK);
        var all = await WalkAsync("priority=high&limit=2");

        Assert.Multiple(() =>
        {
            Assert.That(page.Total, Is.EqualTo(3));
            Assert.That(page.Items, Has.Count.EqualTo(2));
            Assert.That(all.Select(n => n.Title), Is.EqualTo(new[] { "four!", "three!", "one!" }));
        });
    }

    [TestCase("limit=0", "limit")]
    [TestCase("limit=501", "limit")]
    [TestCase("sort=color", "sort")]
    [TestCase("sort=title,-title", "sort")]
    [TestCase("cursor=not-a-cursor", "cursor")]
    [TestCase("cursor=eyJvIjoxfQ", "cursor")]
    [TestCase("priority=urgent", "priority")]
    public async Task Bad_paging_parameters_are_400_with_the_field_named(string query, string field)
    {
        var problem = await ReadProblemAsync(await Client.GetAsync($"/api/v1/notes?{query}"), HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
    }

    [Test]
    public async Task A_cursor_cannot_be_reused_with_another_sort()
    {
        await CreateNotesAsync(["a", "b", "c"]);
        var page = await ReadAsync<Page<NoteItem>>(await Client.GetAsync("/api/v1/notes?limit=1"), HttpStatusCode.OK);

        var response = await Client.GetAsync($"/api/v1/notes?limit=1&sort=title&cursor={Uri.EscapeDataString(page.NextCursor!)}");

        var problem = await ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").GetProperty("cursor")[0].GetString(), Does.Contain("different sort"));
    }
}
