#include "demo.h"

#include <string>

#include "wire/body.h"
#include "wire/content.h"
#include "wire/feature_tags.h"
#include "wire/msrp.h"
#include "wire/sdp.h"
#include "wire/sip_headers.h"
#include "wire/sip_message.h"
#include "wire/sip_validate.h"

namespace pushsim::cli {
namespace {

using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

class Demo {
 public:
  explicit Demo(std::ostream& out) : out_(out) {}

  // Serializes, parses back, validates and compares; prints the message.
  void Sip(std::string_view step, const SipMessage& message) {
    const std::string bytes = message.Serialize();
    auto parsed = SipMessage::Parse(bytes);
    bool ok = parsed.ok() && !wire::ValidateSipMessage(*parsed, bytes) && parsed->Serialize() == bytes;
    if (ok && parsed->Get(HeaderId::kContentType)) {
      ok = !wire::ValidateContent(*parsed->Get(HeaderId::kContentType), parsed->body());
    }
    Print(step, bytes, ok);
  }

  void Msrp(std::string_view step, const wire::MsrpMessage& message) {
    const std::string bytes = message.Serialize();
    auto parsed = wire::MsrpMessage::Parse(bytes);
    Print(step, bytes, parsed.ok() && parsed->Serialize() == bytes);
  }

  void Check(std::string_view what, bool ok) {
    out_ << (ok ? "  check ok:     " : "  check FAILED: ") << what << "\n";
    failures_ += ok ? 0 : 1;
  }

  int failures() const { return failures_; }

 private:
  void Print(std::string_view step, const std::string& bytes, bool ok) {
    out_ << "\n== " << step << " (" << bytes.size() << " bytes, " << (ok ? "round trip identical" : "ROUND TRIP FAILED")
         << ")\n";
    const std::size_t header_end = bytes.find("\r\n\r\n");
    std::string shown = bytes.substr(0, header_end == std::string::npos ? bytes.size() : header_end);
    for (std::size_t at = shown.find("\r\n"); at != std::string::npos; at = shown.find("\r\n", at)) shown.erase(at, 1);
    out_ << shown << "\n";
    failures_ += ok ? 0 : 1;
  }

  std::ostream& out_;
  int failures_ = 0;
};

SipMessage Register() {
  SipMessage request = SipMessage::MakeRequest(Method::kRegister, "sip:home1.net");
  request.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.1.7:5060;branch=z9hG4bK.ue7.1;rport");
  request.Add(HeaderId::kMaxForwards, "70");
  request.Add(HeaderId::kFrom, "<sip:alice@home1.net>;tag=ue7");
  request.Add(HeaderId::kTo, "<sip:alice@home1.net>");
  request.Add(HeaderId::kCallId, "reg-ue7@10.0.1.7");
  request.Add(HeaderId::kCSeq, "1 REGISTER");
  request.Add(HeaderId::kContact,
              "<sip:alice@10.0.1.7:5060>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000000000007>\";"
              "+g.oma.pusheventapp=\"mms.ua,x-wap-application:push.sia\"");
  request.Add(HeaderId::kSupported, "gruu, path");
  request.Add(HeaderId::kRequire, "pref");
  request.Add(HeaderId::kExpires, "600000");
  return request;
}

}  // namespace

int RunDemo(std::ostream& out) {
  Demo demo(out);
  out << "pushsim demo: one push through every codec (the scenario runner replaces this)\n";

  // 1. Registration (TS 7.2): the feature tag, +sip.instance and Supported: gruu.
  const SipMessage reg = Register();
  demo.Sip("UE -> core: REGISTER", reg);
  SipMessage ok = SipMessage::MakeResponse(200);
  for (HeaderId id : {HeaderId::kVia, HeaderId::kFrom, HeaderId::kCallId, HeaderId::kCSeq}) ok.Add(id, *reg.Get(id));
  ok.Add(HeaderId::kTo, "<sip:alice@home1.net>;tag=scscf1");
  ok.Add(HeaderId::kContact, std::string(*reg.Get(HeaderId::kContact)) +
                                 ";expires=600000;pub-gruu=\"sip:alice@home1.net;gr=urn:uuid:00000000-0000-1000-8000-"
                                 "000000000007\";temp-gruu=\"sip:tgruu.1@home1.net;gr\"");
  ok.Add(HeaderId::kServiceRoute, "<sip:orig@scscf.home1.net;lr>");
  ok.Add(HeaderId::kPAssociatedUri, "<sip:alice@home1.net>, <tel:+15551234567>");
  demo.Sip("core -> UE: 200 OK with GRUUs", ok);
  auto contacts = wire::ParseContacts(ok);
  demo.Check("the 200 carries a public GRUU", contacts.ok() && contacts->front().pub_gruu().has_value());

  // 2. MESSAGE push (TS 9.1.2) selected by caller preferences (RFC 3841).
  SipMessage message = SipMessage::MakeRequest(Method::kMessage, "sip:alice@home1.net");
  message.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK.as.1");
  message.Add(HeaderId::kMaxForwards, "70");
  message.Add(HeaderId::kFrom, "<sip:push@home1.net>;tag=as1");
  message.Add(HeaderId::kTo, "<sip:alice@home1.net>");
  message.Add(HeaderId::kCallId, "push-1@10.0.0.9");
  message.Add(HeaderId::kCSeq, "1 MESSAGE");
  message.Add(HeaderId::kPAssertedIdentity, "<sip:push@home1.net>");
  message.Add(HeaderId::kAcceptContact, "*;+g.oma.pusheventapp=\"mms.ua\";require;explicit");
  message.SetBody("Your MMS is waiting.", "text/plain");
  demo.Sip("AS -> UE: MESSAGE push", message);
  auto predicate = wire::ParseAcceptContact(*message.Get(HeaderId::kAcceptContact));
  auto registered = wire::FeatureSetFromParams(reg.GetAll(HeaderId::kContact).empty()
                                                   ? wire::Params{}
                                                   : wire::ParseContacts(reg)->front().address.params);
  bool selected = false;
  if (predicate.ok() && registered.ok()) {
    selected = !wire::SelectContacts({*registered}, {*predicate}, {}).empty();
  }
  demo.Check("the registered contact matches Accept-Contact mms.ua (require, explicit)", selected);

  // 3. INVITE with an SDP offer for one file over MSRP (TS 9.3.2, RFC 5547).
  wire::SessionDescription offer;
  offer.origin = {"push", "2890844526", "2890844526", "IN", "IP4", "10.0.0.9"};
  offer.connection = wire::SdpConnection{"IN", "IP4", "10.0.0.9"};
  wire::SdpMedia media = wire::MakeMsrpMedia(2855, "msrp://10.0.0.9:2855/as1;tcp", {"message/cpim"},
                                             wire::SdpDirection::kSendOnly);
  media.AddAttribute("accept-wrapped-types", "*");
  wire::FileSelector selector;
  selector.name = "picture.jpg";
  selector.type = "image/jpeg";
  selector.size = 4385;
  media.AddAttribute("file-selector", wire::ToString(selector));
  media.AddAttribute("file-transfer-id", "ft1");
  offer.media.push_back(media);
  SipMessage invite = SipMessage::MakeRequest(Method::kInvite, "sip:alice@home1.net;gr=urn:uuid:00000000-0000-1000-8000-000000000007");
  for (std::size_t i = 0; i < message.header_count(); ++i) {
    const wire::HeaderField field = message.header(i);
    if (field.id == HeaderId::kCSeq || field.id == HeaderId::kContentType || field.id == HeaderId::kContentLength) continue;
    invite.Add(field.id == HeaderId::kOther ? field.name : wire::CanonicalName(field.id), field.value);
  }
  invite.Set(HeaderId::kCallId, "push-2@10.0.0.9");
  invite.Add(HeaderId::kCSeq, "1 INVITE");
  invite.Add(HeaderId::kContact, "<sip:push@10.0.0.9:5060>");
  invite.SetBody(offer.Serialize(), "application/sdp");
  demo.Sip("AS -> UE: INVITE with an MSRP file offer", invite);

  auto answer = wire::MakeAnswer(offer, {"alice", "1", "1", "IN", "IP4", "10.0.1.7"}, {"IN", "IP4", "10.0.1.7"});
  answer.media[0] = wire::MakeMsrpMedia(2855, "msrp://10.0.1.7:2855/ue7;tcp", {"message/cpim"}, wire::SdpDirection::kRecvOnly);
  answer.media[0].AddAttribute("file-selector", wire::ToString(selector));
  answer.media[0].AddAttribute("max-size", "1048576");
  demo.Check("the answer keeps one m-line per offered stream", answer.media.size() == offer.media.size());

  // 4. The file over MSRP in 2048-byte chunks, reassembled out of order, then the REPORT.
  std::string file(4385, '\0');
  for (std::size_t i = 0; i < file.size(); ++i) file[i] = static_cast<char>('A' + i % 26);
  wire::MsrpChunkerOptions chunking;
  chunking.to_path = {*wire::ParseMsrpUri("msrp://10.0.1.7:2855/ue7;tcp")};
  chunking.from_path = {*wire::ParseMsrpUri("msrp://10.0.0.9:2855/as1;tcp")};
  chunking.message_id = "push2file1";
  chunking.content_type = "image/jpeg";
  chunking.success_report = true;
  std::uint64_t seed = 7;
  const auto chunks = wire::ChunkMessage(file, chunking, [&seed] { return seed = seed * 6364136223846793005ULL + 1; });
  for (const auto& chunk : chunks) demo.Msrp("AS -> UE: MSRP SEND", chunk);
  wire::MsrpReassembler reassembler("push2file1");
  for (auto it = chunks.rbegin(); it != chunks.rend(); ++it) (void)reassembler.Add(*it);
  demo.Check("3 chunks reassembled in reverse order give the file", chunks.size() == 3 && reassembler.Complete() &&
                                                                        reassembler.TakeBody() == file);
  demo.Msrp("UE -> AS: MSRP 200", wire::MakeOkResponse(chunks.front()));
  demo.Msrp("UE -> AS: MSRP REPORT", wire::MakeReport(chunks.back(), "rep1tx", wire::ByteRange{1, 4385, 4385}));

  out << "\n" << (demo.failures() == 0 ? "demo: every message round-tripped and every check passed"
                                       : "demo: " + std::to_string(demo.failures()) + " failures")
      << "\n";
  return demo.failures();
}

}  // namespace pushsim::cli
