using System.Text.Json;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Microsoft.EntityFrameworkCore;
using S = Crm.Modules.Customers.Features.Import.CustomerImportSchema;

namespace Crm.Modules.Customers.Features.Export;

/// <summary>
/// Streams the customers the caller may see, filtered like the list, in keyset batches by id (never the whole set in
/// memory). The columns are the import's field names (plus read-only ones the import skips), so the file re-imports.
/// </summary>
internal sealed class CustomerExport(CustomersDbContext db, IAccessScopeProvider access, IUserDirectory users)
{
    public const int BatchSize = 1000;

    public static readonly string[] Columns =
    [
        S.Code, S.ExternalId, S.Kind, S.Name, S.ShortName, S.RegistrationNumber, S.Industry, S.SourceChannel, S.Province, S.City,
        S.District, S.Address, S.Phones, S.Emails, S.Website, S.Tags, S.Tier, S.RelationshipType, S.LifecycleStage, S.IsKeyAccount,
        S.IsPotentialKeyAccount, S.CreditLimit, S.CreditRating, S.OutstandingBalance, S.OwnerEmail, "id", "status", "createdAt", "updatedAt",
    ];

    /// <summary>The filtered, visible customers; a filter the list would refuse (a short q) throws its 400 here, before the response starts.</summary>
    public async Task<IQueryable<Customer>> QueryAsync(CustomerFilter filter, CancellationToken ct)
    {
        var scope = await access.GetAsync(ct);
        return CustomerQuery.Apply(db.Customers.AsNoTracking().Where(scope.Filter<Customer>(c => c.OwnerId)), filter);
    }

    public async Task WriteAsync(IQueryable<Customer> customers, ExportWriter writer, CancellationToken ct)
    {
        var owners = new Dictionary<Guid, string>();
        await writer.WriteHeaderAsync(ct);
        var after = Guid.Empty;
        while (true)
        {
            var batch = await customers.Where(c => c.Id > after).OrderBy(c => c.Id).Take(BatchSize).ToListAsync(ct);
            var unknown = batch.Select(c => c.OwnerId).OfType<Guid>().Where(id => !owners.ContainsKey(id)).Distinct().ToList();
            if (unknown.Count > 0)
            {
                foreach (var (id, user) in await users.FindByIdsAsync(unknown, ct))
                {
                    owners[id] = user.Email;
                }
            }

            foreach (var c in batch)
            {
                await writer.WriteRowAsync(
                [
                    c.Code, c.ExternalId, Camel(c.Kind), c.Name, c.ShortName, c.RegistrationNumber, c.Industry, c.SourceChannel, c.Province, c.City,
                    c.District, c.Address, c.Phones, c.Emails, c.Website, c.Tags, c.Tier, Camel(c.RelationshipType), Camel(c.LifecycleStage),
                    c.IsKeyAccount, c.IsPotentialKeyAccount, c.CreditLimit, c.CreditRating, c.OutstandingBalance,
                    c.OwnerId is { } owner && owners.TryGetValue(owner, out var email) ? email : null, c.Id, Camel(c.Status), c.CreatedAt, c.UpdatedAt,
                ], ct);
            }

            await writer.FlushAsync(ct);
            db.ChangeTracker.Clear();
            if (batch.Count < BatchSize)
            {
                return;
            }

            after = batch[^1].Id;
        }
    }

    internal static string Camel<TEnum>(TEnum value)
        where TEnum : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
}
