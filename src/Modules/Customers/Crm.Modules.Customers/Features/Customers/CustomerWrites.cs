using System.Text.Json;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Crm.Modules.Customers.Features.Customers;

/// <summary>What creates and updates share: the uniqueness of the identifiers (checked up front for a clear 409) and the stage history.</summary>
internal static class CustomerWrites
{
    /// <summary>A friendly pre-check; the partial unique indexes still decide under concurrency (see <see cref="SaveAsync"/>).</summary>
    public static async Task EnsureUniqueAsync(CustomersDbContext db, CustomerDetails details, Guid? exceptId, CancellationToken ct)
    {
        var number = details.RegistrationNumber is { } raw && !string.IsNullOrWhiteSpace(raw) ? CustomerIdentifiers.Normalize(raw) : null;
        if (number is not null && await db.Customers.AnyAsync(c => c.RegistrationNumber == number && c.Id != exceptId, ct))
        {
            throw CustomersProblems.DuplicateRegistrationNumber(number);
        }

        var externalId = details.ExternalId?.Trim();
        if (!string.IsNullOrEmpty(externalId) && await db.Customers.AnyAsync(c => c.ExternalId == externalId && c.Id != exceptId, ct))
        {
            throw CustomersProblems.DuplicateExternalId(externalId);
        }
    }

    /// <summary>The <c>CustomerCreated</c> event of a customer just inserted (its code generated), as every writer raises it.</summary>
    public static CustomerCreated CreatedEvent(Customer customer, DateTimeOffset now) => new(now)
    {
        CustomerId = customer.Id,
        Code = customer.Code,
        Name = customer.Name,
        Kind = customer.Kind == CustomerKind.Organization ? "organization" : "individual",
        OwnerId = customer.OwnerId,
        TeamId = customer.TeamId,
        ExternalId = customer.ExternalId,
    };

    /// <summary>Saves, turning a unique violation from a concurrent writer into the same 409 as the pre-check.</summary>
    public static async Task SaveAsync(CustomersDbContext db, Customer customer, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique)
        {
            throw unique.ConstraintName switch
            {
                "ix_customers_registration_number" => CustomersProblems.DuplicateRegistrationNumber(customer.RegistrationNumber!),
                "ix_customers_external_id" => CustomersProblems.DuplicateExternalId(customer.ExternalId!),
                _ => ex,
            };
        }
    }

    /// <summary>
    /// After a write that may have moved the lifecycle stage: its history row and timeline event, added to the context
    /// so they commit with the change (one SaveChanges).
    /// </summary>
    public static void RecordStageChange(CustomersDbContext db, Customer customer, LifecycleStage previous, Guid? actorId, DateTimeOffset now)
    {
        if (customer.LifecycleStage == previous)
        {
            return;
        }

        string from = JsonNamingPolicy.CamelCase.ConvertName(previous.ToString()), to = JsonNamingPolicy.CamelCase.ConvertName(customer.LifecycleStage.ToString());
        db.CustomerHistory.Add(CustomerHistoryEntry.Create(customer.Id, CustomerHistoryField.LifecycleStage, from, to, null, actorId, now));
        db.AddIntegrationEvent(new CustomerLifecycleStageChanged(now) { CustomerId = customer.Id, FromStage = from, ToStage = to });
    }
}
