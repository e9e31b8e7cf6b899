// The doubly-linked intrusive lists of tasks.cpp (a group's registered tasks, a task's
// linked groups): push at the front and unlink in O(1), without allocation. `Prev` and
// `Next` name the node's link members; the caller holds whatever lock guards the list.
#ifndef LUMINAR_STEAL_INTRUSIVE_LIST_HPP
#define LUMINAR_STEAL_INTRUSIVE_LIST_HPP

namespace luminar_steal {

template <class T, T *T::*Prev, T *T::*Next>
void list_push_front(T *&head, T *node) {
  node->*Prev = nullptr;
  node->*Next = head;
  if (head != nullptr) head->*Prev = node;
  head = node;
}

template <class T, T *T::*Prev, T *T::*Next>
void list_unlink(T *&head, T *node) {
  (node->*Prev != nullptr ? (node->*Prev)->*Next : head) = node->*Next;
  if (node->*Next != nullptr) (node->*Next)->*Prev = node->*Prev;
}

}  // namespace luminar_steal

#endif
