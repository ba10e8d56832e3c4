using System.Linq.Expressions;
using System.Text.Json;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.CustomFields;
using Crm.SharedKernel.Paging;

namespace Crm.Modules.Customers.Features.Customers;

/// <summary>A customer of the archive (客户档案).</summary>
/// <param name="Id">Customer id.</param>
/// <param name="Code">Human-readable code generated on creation (C10000001), unique.</param>
/// <param name="Kind">organization (企业) or individual (个人).</param>
/// <param name="ExternalId">The id in the ERP or another system of record; unique when present.</param>
/// <param name="Name">Full name (legal name of an organization, the person's name).</param>
/// <param name="ShortName">Short name (简称).</param>
/// <param name="RegistrationNumber">Unified social credit code (organizations) or resident ID number (individuals), upper-case; unique when present.</param>
/// <param name="Industry">Industry (行业).</param>
/// <param name="SourceChannel">Where the customer came from (来源渠道): exhibition, referral, website, ...</param>
/// <param name="Province">Province (省).</param>
/// <param name="City">City (市).</param>
/// <param name="District">District or county (区/县).</param>
/// <param name="Address">Street address.</param>
/// <param name="Phones">Phone numbers, normalized to digits (a leading + kept).</param>
/// <param name="Emails">Email addresses, lower-case.</param>
/// <param name="Website">Website.</param>
/// <param name="Tags">Free tags.</param>
/// <param name="Tier">Value tier or category (A/B/C, VIP, ...).</param>
/// <param name="RelationshipType">Kotler's relationship type: basic, passive, responsible, proactive, partner.</param>
/// <param name="LifecycleStage">Lifecycle stage: potential, development, growth, maturity, decline, termination.</param>
/// <param name="Status">active, churned, blacklisted or archived (deleted customers are archived).</param>
/// <param name="OwnerId">The customer manager (客户经理) who owns the customer.</param>
/// <param name="TeamId">The owner's team when the customer was assigned.</param>
/// <param name="IsKeyAccount">A key account (大客户).</param>
/// <param name="IsPotentialKeyAccount">A potential key account (潜在大客户).</param>
/// <param name="CreditLimit">Credit limit (信用额度), in <paramref name="Currency"/>.</param>
/// <param name="CreditRating">Credit rating (信用等级), e.g. AAA.</param>
/// <param name="OutstandingBalance">Amount the customer owes (欠款), in <paramref name="Currency"/>.</param>
/// <param name="Currency">ISO 4217 currency of the amounts (CNY).</param>
/// <param name="CreatedAt">When the customer was created.</param>
/// <param name="UpdatedAt">When the customer was last changed.</param>
/// <param name="ArchivedAt">When the customer was archived, if it is.</param>
/// <param name="LastFollowUpAt">When the newest follow-up (跟进) happened.</param>
/// <param name="NextFollowUpAt">The next follow-up the newest one planned.</param>
/// <param name="RegionCode">GB/T 2260 code of the most specific region given (district, else city, else province).</param>
/// <param name="CustomFields">Values of the custom fields, keyed by field key (GET /api/v1/custom-fields/customers describes them).</param>
/// <param name="BlacklistReason">Why the customer is blacklisted (黑名单), while it is.</param>
/// <param name="BlacklistedAt">When it was blacklisted, while it is.</param>
/// <param name="ChurnedAt">When it was lost (流失), while churned.</param>
/// <param name="ChurnReason">Why it was lost, while churned.</param>
/// <param name="ChurnCompetitor">The competitor it was lost to, when known.</param>
/// <param name="ChurnStage">The lifecycle stage it had reached when it churned.</param>
/// <param name="LastWonAt">When its newest won deal (赢单) was won (from the Sales module), if any.</param>
internal sealed record CustomerResponse(
    Guid Id,
    string Code,
    CustomerKind Kind,
    string? ExternalId,
    string Name,
    string? ShortName,
    string? RegistrationNumber,
    string? Industry,
    string? SourceChannel,
    string? Province,
    string? City,
    string? District,
    string? Address,
    IReadOnlyList<string> Phones,
    IReadOnlyList<string> Emails,
    string? Website,
    IReadOnlyList<string> Tags,
    string? Tier,
    RelationshipType RelationshipType,
    LifecycleStage LifecycleStage,
    CustomerStatus Status,
    Guid? OwnerId,
    Guid? TeamId,
    bool IsKeyAccount,
    bool IsPotentialKeyAccount,
    decimal? CreditLimit,
    string? CreditRating,
    decimal OutstandingBalance,
    string Currency,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ArchivedAt,
    DateTimeOffset? LastFollowUpAt,
    DateTimeOffset? NextFollowUpAt,
    string? RegionCode,
    IReadOnlyDictionary<string, JsonElement> CustomFields,
    string? BlacklistReason,
    DateTimeOffset? BlacklistedAt,
    DateTimeOffset? ChurnedAt,
    string? ChurnReason,
    string? ChurnCompetitor,
    LifecycleStage? ChurnStage,
    DateTimeOffset? LastWonAt);

/// <summary>A customer with the row version that becomes its ETag.</summary>
internal sealed record VersionedCustomer(CustomerResponse Customer, uint Version);

internal static class CustomerProjection
{
    public static readonly Expression<Func<Customer, CustomerResponse>> ToResponse = c => new CustomerResponse(
        c.Id, c.Code, c.Kind, c.ExternalId, c.Name, c.ShortName, c.RegistrationNumber, c.Industry, c.SourceChannel,
        c.Province, c.City, c.District, c.Address, c.Phones, c.Emails, c.Website, c.Tags, c.Tier, c.RelationshipType,
        c.LifecycleStage, c.Status, c.OwnerId, c.TeamId, c.IsKeyAccount, c.IsPotentialKeyAccount, c.CreditLimit,
        c.CreditRating, c.OutstandingBalance, c.Currency, c.CreatedAt, c.UpdatedAt, c.ArchivedAt,
        c.LastFollowUpAt, c.NextFollowUpAt, c.RegionCode, CustomFieldJson.Read(c.CustomFields),
        c.BlacklistReason, c.BlacklistedAt, c.ChurnedAt, c.ChurnReason, c.ChurnCompetitor, c.ChurnStage, c.LastWonAt);

    private static readonly Func<Customer, CustomerResponse> Compiled = ToResponse.Compile();

    /// <summary>Sortable on indexed columns only; newest first by default.</summary>
    public static readonly SortDefinition<Customer, CustomerResponse> Sort = new SortDefinition<Customer, CustomerResponse>(c => c.Id, c => c.Id, "-createdAt")
        .Add("createdAt", c => c.CreatedAt, c => c.CreatedAt)
        .Add("updatedAt", c => c.UpdatedAt, c => c.UpdatedAt)
        .Add("name", c => c.Name, c => c.Name)
        .Add("code", c => c.Code, c => c.Code);

    public static CustomerResponse From(Customer customer) => Compiled(customer);

    public static VersionedCustomer Versioned(Customer customer) => new(From(customer), customer.Version);
}
