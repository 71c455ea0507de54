// The one error type that crosses library boundaries in Crosscheck.
//
// Every failure of an external system (Kafka, Redis, the file system) or of a configuration is
// reported as an Error that says whether retrying can help. Untrusted *event* input is not an
// Error: it is a list of schemas::Violation and ends in the dead-letter topic.
//
// Thread-safety: Error and Result are plain values; copies may be used from any thread.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace crosscheck {

class Error {
 public:
  enum class Kind {
    kRetriable,  // transient: a timeout, a broker or Redis that is (re)starting; try again later
    kFatal,      // retrying will not help: bad configuration, authentication, a protocol violation
  };

  Error(std::string component, std::string message, Kind kind, int code = 0)
      : component_(std::move(component)), message_(std::move(message)), kind_(kind), code_(code) {}

  static Error retriable(std::string component, std::string message, int code = 0) {
    return Error(std::move(component), std::move(message), Kind::kRetriable, code);
  }
  static Error fatal(std::string component, std::string message, int code = 0) {
    return Error(std::move(component), std::move(message), Kind::kFatal, code);
  }

  const std::string& component() const { return component_; }
  const std::string& message() const { return message_; }
  bool is_retriable() const { return kind_ == Kind::kRetriable; }
  bool is_fatal() const { return kind_ == Kind::kFatal; }
  // The underlying library's code (rd_kafka_resp_err_t, hiredis err), 0 when there is none.
  int code() const { return code_; }

  // "kafka: Broker transport failure (retriable)"
  std::string to_string() const {
    return component_ + ": " + message_ + (is_retriable() ? " (retriable)" : " (fatal)");
  }

 private:
  std::string component_;
  std::string message_;
  Kind kind_;
  int code_;
};

// Thrown only at start-up or from constructors, where there is no caller to return an Error to.
class ErrorException : public std::runtime_error {
 public:
  explicit ErrorException(Error error) : std::runtime_error(error.to_string()), error_(std::move(error)) {}
  const Error& error() const { return error_; }

 private:
  Error error_;
};

// A value or an Error. Minimal on purpose (std::expected is C++23).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return checked(); }
  const T& value() const& { return const_cast<Result*>(this)->checked(); }
  T&& value() && { return std::move(checked()); }
  T* operator->() { return &checked(); }
  const T* operator->() const { return &const_cast<Result*>(this)->checked(); }
  T& operator*() & { return checked(); }
  const T& operator*() const& { return const_cast<Result*>(this)->checked(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  T& checked() {
    // Reading the value of a failed Result is a programming error: fail loudly.
    if (!ok()) throw ErrorException(std::get<1>(v_));
    return std::get<0>(v_);
  }
  std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace crosscheck
