using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.CustomFields;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Paging;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Customers;

/// <summary>The filters of <c>GET /api/v1/customers</c>, parsed (enums typed, q checked).</summary>
internal sealed record CustomerFilter(
    string? Q = null,
    Guid? OwnerId = null,
    Guid? TeamId = null,
    CustomerKind? Kind = null,
    string? Tier = null,
    LifecycleStage? Stage = null,
    RelationshipType? RelationshipType = null,
    CustomerStatus? Status = null,
    string? Province = null,
    string? City = null,
    string? Industry = null,
    string? Tag = null,
    bool? IsKeyAccount = null,
    DateTimeOffset? CreatedFrom = null,
    DateTimeOffset? CreatedTo = null,
    DateTimeOffset? UpdatedFrom = null,
    DateTimeOffset? UpdatedTo = null,
    DateTimeOffset? LastFollowUpBefore = null,
    DateTimeOffset? LastFollowUpAfter = null)
{
    /// <summary>Only customers whose region code starts with this (2, 4 or 6 digits).</summary>
    public string? RegionCodePrefix { get; init; }

    /// <summary>Custom field filters as sent (key:value); the handler turns them into <see cref="CustomFieldContains"/>.</summary>
    public IReadOnlyList<string> CustomFieldFilters { get; init; } = [];

    /// <summary>jsonb objects the custom fields must contain (<c>custom_fields @&gt; ...</c>), one per filter.</summary>
    public IReadOnlyList<string> CustomFieldContains { get; init; } = [];
}

internal sealed record ListCustomersRequest(PageRequest Page, string? Sort, CustomerFilter Filter) : IRequest<Page<CustomerResponse>>;

internal sealed class ListCustomersHandler(CustomersDbContext db, IAccessScopeProvider access, CustomFieldSchemaCache schemas)
    : IRequestHandler<ListCustomersRequest, Page<CustomerResponse>>
{
    public async Task<Page<CustomerResponse>> Handle(ListCustomersRequest request, CancellationToken cancellationToken)
    {
        var order = CustomerProjection.Sort.Parse(request.Sort);
        var filter = request.Filter;
        if (filter.CustomFieldFilters.Count > 0)
        {
            var schema = await schemas.GetAsync(db, CustomFieldEntity.Customers, cancellationToken);
            filter = filter with { CustomFieldContains = filter.CustomFieldFilters.Select(f => schema.Containment(f, "customField")).ToList() };
        }

        var scope = await access.GetAsync(cancellationToken);
        var customers = CustomerQuery.Apply(db.Customers.AsNoTracking().Where(scope.Filter<Customer>(c => c.OwnerId)), filter);
        return await customers.ToPageAsync(CustomerProjection.ToResponse, order, request.Page, cancellationToken);
    }
}

/// <summary>The list's WHERE clause; the search EXPLAIN test runs exactly this query.</summary>
internal static class CustomerQuery
{
    public static IQueryable<Customer> Apply(IQueryable<Customer> customers, CustomerFilter filter)
    {
        if (!string.IsNullOrWhiteSpace(filter.Q))
        {
            customers = Search(customers, filter.Q);
        }

        // Archived is the soft delete: archived customers are listed only when asked for by status. Merged customers
        // are only redirects to their survivor and are never listed.
        customers = filter.Status is { } status
            ? customers.Where(c => c.Status == status && c.Status != CustomerStatus.Merged)
            : customers.Where(c => c.Status != CustomerStatus.Archived && c.Status != CustomerStatus.Merged);

        if (filter.OwnerId is { } owner)
        {
            customers = customers.Where(c => c.OwnerId == owner);
        }

        if (filter.TeamId is { } team)
        {
            customers = customers.Where(c => c.TeamId == team);
        }

        if (filter.Kind is { } kind)
        {
            customers = customers.Where(c => c.Kind == kind);
        }

        if (!string.IsNullOrWhiteSpace(filter.Tier))
        {
            var tier = filter.Tier.Trim();
            customers = customers.Where(c => c.Tier == tier);
        }

        if (filter.Stage is { } stage)
        {
            customers = customers.Where(c => c.LifecycleStage == stage);
        }

        if (filter.RelationshipType is { } relationship)
        {
            customers = customers.Where(c => c.RelationshipType == relationship);
        }

        if (!string.IsNullOrWhiteSpace(filter.Province))
        {
            var province = filter.Province.Trim();
            customers = customers.Where(c => c.Province == province);
        }

        if (!string.IsNullOrWhiteSpace(filter.City))
        {
            var city = filter.City.Trim();
            customers = customers.Where(c => c.City == city);
        }

        if (!string.IsNullOrWhiteSpace(filter.Industry))
        {
            var industry = filter.Industry.Trim();
            customers = customers.Where(c => c.Industry == industry);
        }

        if (!string.IsNullOrWhiteSpace(filter.Tag))
        {
            // One-element array containment (tags @> ARRAY[tag]) so the GIN index on tags applies.
            string[] tag = [filter.Tag.Trim()];
            customers = customers.Where(c => tag.All(t => c.Tags.Contains(t)));
        }

        if (filter.RegionCodePrefix is { } regionPrefix)
        {
            // A prefix LIKE on the varchar_pattern_ops index: 44% is the province and everything in it.
            var pattern = regionPrefix + "%";
            customers = customers.Where(c => EF.Functions.Like(c.RegionCode, pattern));
        }

        foreach (var contained in filter.CustomFieldContains)
        {
            // custom_fields @> '{"key": value}' on the jsonb_path_ops GIN index.
            customers = customers.Where(c => EF.Functions.JsonContains(c.CustomFields, contained));
        }

        if (filter.IsKeyAccount is { } key)
        {
            customers = customers.Where(c => c.IsKeyAccount == key);
        }

        if (filter.CreatedFrom is { } createdFrom)
        {
            customers = customers.Where(c => c.CreatedAt >= createdFrom);
        }

        if (filter.CreatedTo is { } createdTo)
        {
            customers = customers.Where(c => c.CreatedAt < createdTo);
        }

        if (filter.UpdatedFrom is { } updatedFrom)
        {
            customers = customers.Where(c => c.UpdatedAt >= updatedFrom);
        }

        if (filter.UpdatedTo is { } updatedTo)
        {
            customers = customers.Where(c => c.UpdatedAt < updatedTo);
        }

        // Customers never followed up have no date, so neither filter matches them.
        if (filter.LastFollowUpBefore is { } lastBefore)
        {
            customers = customers.Where(c => c.LastFollowUpAt < lastBefore);
        }

        if (filter.LastFollowUpAfter is { } lastAfter)
        {
            customers = customers.Where(c => c.LastFollowUpAt >= lastAfter);
        }

        return customers;
    }

    /// <summary>
    /// Two-character Chinese terms go to the bigram array index (<c>name_bigrams @&gt; ARRAY[term]</c>), longer
    /// terms to the trigram indexes on the search text and the code (<c>LIKE '%term%'</c>).
    /// </summary>
    private static IQueryable<Customer> Search(IQueryable<Customer> customers, string q)
    {
        var (term, error) = CustomerSearch.Parse(q);
        if (term is null)
        {
            throw ValidationFailedException.For("q", error!);
        }

        if (CustomerSearch.UsesBigrams(term))
        {
            // Npgsql translates "every element of the constant array is in the column" to column @> array;
            // array.Contains(x) would become x = ANY(column), which no index serves.
            string[] bigram = [term];
            return customers.Where(c => bigram.All(b => c.NameBigrams.Contains(b)));
        }

        var pattern = LikePattern.Contains(term);
        return customers.Where(c => EF.Functions.Like(c.SearchText, pattern, LikePattern.Escape) || EF.Functions.ILike(c.Code, pattern, LikePattern.Escape));
    }
}
