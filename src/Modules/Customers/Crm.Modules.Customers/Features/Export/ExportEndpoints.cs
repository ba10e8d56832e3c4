using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using C = Crm.Modules.Customers.Features.Import.ContactImportTarget;

namespace Crm.Modules.Customers.Features.Export;

/// <summary>Query string of <c>GET /api/v1/customers/export</c>: the list's filters plus the file format.</summary>
/// <param name="Format">csv (default) or ndjson.</param>
/// <param name="Charset">CSV text encoding: utf-8 (default, with a BOM so Excel detects it) or gb18030.</param>
/// <param name="Q">Search, as in the list.</param>
/// <param name="OwnerId">Only customers of this owner.</param>
/// <param name="TeamId">Only customers of this team.</param>
/// <param name="Kind">organization or individual.</param>
/// <param name="Tier">Only this tier.</param>
/// <param name="Stage">Lifecycle stage.</param>
/// <param name="RelationshipType">Relationship type.</param>
/// <param name="Status">active, churned, blacklisted or archived (archived only when asked for).</param>
/// <param name="Province">Only this province.</param>
/// <param name="City">Only this city.</param>
/// <param name="Industry">Only this industry.</param>
/// <param name="Tag">Only customers carrying this tag.</param>
/// <param name="IsKeyAccount">Only key accounts (true) or only the others (false).</param>
/// <param name="CreatedFrom">Created at or after.</param>
/// <param name="CreatedTo">Created before.</param>
/// <param name="UpdatedFrom">Changed at or after.</param>
/// <param name="UpdatedTo">Changed before.</param>
/// <param name="LastFollowUpBefore">Newest follow-up before this instant.</param>
/// <param name="LastFollowUpAfter">Newest follow-up at or after this instant.</param>
/// <param name="RegionCode">GB/T 2260 code prefix: 44 (广东省), 4403 (深圳市), 440305 (南山区).</param>
/// <param name="CustomField">Custom field filter key:value, e.g. grade:A; repeat for more (all must match).</param>
internal sealed record ExportCustomersQuery(
    string? Format,
    string? Charset,
    string? Q,
    Guid? OwnerId,
    Guid? TeamId,
    string? Kind,
    string? Tier,
    string? Stage,
    string? RelationshipType,
    string? Status,
    string? Province,
    string? City,
    string? Industry,
    string? Tag,
    bool? IsKeyAccount,
    DateTimeOffset? CreatedFrom,
    DateTimeOffset? CreatedTo,
    DateTimeOffset? UpdatedFrom,
    DateTimeOffset? UpdatedTo,
    DateTimeOffset? LastFollowUpBefore,
    DateTimeOffset? LastFollowUpAfter,
    string? RegionCode,
    string[]? CustomField)
{
    /// <summary>The list's filter, read by the list's own rules (one place parses and checks them).</summary>
    public CustomerFilter ToFilter() => new ListCustomersQuery(
        null, null, null, null, Q, OwnerId, TeamId, Kind, Tier, Stage, RelationshipType, Status, Province, City, Industry, Tag,
        IsKeyAccount, CreatedFrom, CreatedTo, UpdatedFrom, UpdatedTo, LastFollowUpBefore, LastFollowUpAfter, RegionCode, CustomField).ToFilter();
}

/// <summary>Query string of <c>GET /api/v1/contacts/export</c>.</summary>
/// <param name="Format">csv (default) or ndjson.</param>
/// <param name="Charset">CSV text encoding: utf-8 (default) or gb18030.</param>
/// <param name="CustomerId">Only the contacts of this customer.</param>
/// <param name="IncludeArchived">Also archived contacts.</param>
internal sealed record ExportContactsQuery(string? Format, string? Charset, Guid? CustomerId, bool? IncludeArchived);

internal static class ExportEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/customers/export", async Task ([AsParameters] ExportCustomersQuery query, CustomerExport export, HttpResponse response, CancellationToken ct) =>
            {
                var (format, encoding) = ExportWriter.Parse(query.Format, query.Charset);
                var customers = await export.QueryAsync(query.ToFilter(), ct);
                await using var writer = ExportWriter.Open(response, format, encoding, "customers", CustomerExport.Columns, [Import.CustomerImportSchema.Phones, Import.CustomerImportSchema.Emails, Import.CustomerImportSchema.Tags]);
                await export.WriteAsync(customers, writer, ct);
            })
            .WithTags("Customers")
            .RequirePermission(Permissions.CustomersRead)
            .WithName("ExportCustomers")
            .WithSummary("Export the customers the caller may see as CSV or NDJSON, streamed; accepts every list filter")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv", additionalContentTypes: ["application/x-ndjson"])
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        api.MapGet("/contacts/export", async Task ([AsParameters] ExportContactsQuery query, ContactExport export, HttpResponse response, CancellationToken ct) =>
            {
                var (format, encoding) = ExportWriter.Parse(query.Format, query.Charset);
                await using var writer = ExportWriter.Open(response, format, encoding, "contacts", ContactExport.Columns, [C.Phones, C.Emails]);
                await export.WriteAsync(query.CustomerId, query.IncludeArchived ?? false, writer, ct);
            })
            .WithTags("Contacts")
            .RequirePermission(Permissions.CustomersRead)
            .WithName("ExportContacts")
            .WithSummary("Export the contacts of the customers the caller may see as CSV or NDJSON, streamed")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv", additionalContentTypes: ["application/x-ndjson"])
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);
    }
}
