using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Domain;

namespace Crm.Modules.Sales.Features.Payments.Import;

/// <summary>
/// The receipt (回款) columns of <c>POST /api/v1/imports/receipts</c> and of <c>GET /api/v1/sales/receipts/export</c>:
/// API field names, the Chinese headers ERP and finance exports use, and the match keys (the ERP's receipt id, or
/// the receipt's own id for files exported here).
/// </summary>
internal static class ReceiptImportSchema
{
    public const string ExternalId = "externalId";
    public const string ContractNumber = "contractNumber";
    public const string ContractExternalId = "contractExternalId";
    public const string InstalmentSequence = "instalmentSequence";
    public const string Amount = "amount";
    public const string ReceivedDate = "receivedDate";
    public const string Method = "method";
    public const string Reference = "reference";
    public const string Id = "id";

    /// <summary>The read-only columns an export adds after the importable ones.</summary>
    public static readonly string[] ReadOnly =
        ["contractId", "customerId", "ownerId", "instalmentId", "currency", "status", "reversalReason", "reversedAt", "createdAt"];

    /// <summary>Payment methods as finance writes them.</summary>
    public static IReadOnlyDictionary<string, PaymentMethod> MethodAliases { get; } = new Dictionary<string, PaymentMethod>(StringComparer.OrdinalIgnoreCase)
    {
        ["银行转账"] = PaymentMethod.BankTransfer, ["转账"] = PaymentMethod.BankTransfer, ["电汇"] = PaymentMethod.BankTransfer,
        ["现金"] = PaymentMethod.Cash,
        ["支票"] = PaymentMethod.Cheque,
        ["在线支付"] = PaymentMethod.Online, ["网银"] = PaymentMethod.Online, ["线上"] = PaymentMethod.Online,
    };

    public static ImportSchema Schema { get; } = new(
        [ExternalId, ContractNumber, ContractExternalId, InstalmentSequence, Amount, ReceivedDate, Method, Reference, Id],
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["回款编号"] = ExternalId, ["收款单号"] = ExternalId, ["回款单号"] = ExternalId, ["外部编号"] = ExternalId, ["ERP编号"] = ExternalId,
            ["合同编号"] = ContractNumber, ["合同号"] = ContractNumber,
            ["合同外部编号"] = ContractExternalId, ["ERP合同编号"] = ContractExternalId,
            ["期次"] = InstalmentSequence, ["回款期次"] = InstalmentSequence,
            ["金额"] = Amount, ["回款金额"] = Amount, ["收款金额"] = Amount,
            ["回款日期"] = ReceivedDate, ["收款日期"] = ReceivedDate, ["到账日期"] = ReceivedDate,
            ["付款方式"] = Method, ["收款方式"] = Method, ["回款方式"] = Method,
            ["参考号"] = Reference, ["银行流水号"] = Reference, ["流水号"] = Reference, ["票据号"] = Reference,
        },
        ReadOnly,
        [ExternalId, Id],
        []);
}
